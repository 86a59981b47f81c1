import { letterShadowFragment, type OutgoingMessage, type PostalAddress } from '@forecourt/sdk';

/**
 * The sender's details a host may put in `message.data.sender`: the return line in the address
 * window and the page footer are made from them (the dealer's address, phone, email).
 */
export interface LetterSender {
  name?: string;
  street?: string;
  postalCode?: string;
  city?: string;
  country?: string;
  phone?: string;
  email?: string;
}

/** A message with a complete postal address, ready to be laid out. */
export interface AddressedLetter {
  message: OutgoingMessage;
  address: PostalAddress;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** A CSS string literal, safe inside a <style> element. */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"<>\n\r]/g, (ch) => (ch === '\n' ? '\\A ' : ch === '\r' ? '' : `\\${ch.charCodeAt(0).toString(16)} `))}"`;
}

const clean = (value: unknown): string => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '');

/** The recipient's address when every part a postman needs is there, else undefined. */
export function completeAddress(message: OutgoingMessage): PostalAddress | undefined {
  const a = message.to.address;
  if (!a) return undefined;
  const address = { street: clean(a.street), postalCode: clean(a.postalCode), city: clean(a.city), country: clean(a.country).toUpperCase() };
  return address.street && address.postalCode && address.city && address.country ? address : undefined;
}

const postalKey = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');

/** Print order for the postal service's sorting discount: country, then postal code (then name and id, so the order is stable). */
export function byPostalCode(a: AddressedLetter, b: AddressedLetter): number {
  return (
    compare(a.address.country, b.address.country) ||
    compare(postalKey(a.address.postalCode), postalKey(b.address.postalCode)) ||
    compare(clean(a.message.to.name), clean(b.message.to.name)) ||
    compare(a.message.id, b.message.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function senderOf(message: OutgoingMessage): LetterSender {
  const data = (message.data?.sender ?? {}) as Record<string, unknown>;
  const pick = (key: keyof LetterSender) => clean(data[key]) || undefined;
  return {
    name: pick('name') ?? (clean(message.from?.name) || undefined),
    street: pick('street'),
    postalCode: pick('postalCode'),
    city: pick('city'),
    country: pick('country')?.toUpperCase(),
    phone: pick('phone') ?? (clean(message.from?.phone) || undefined),
    // Not from.email: that is the mail sender, often a no-reply address, not one for the letterhead.
    email: pick('email'),
  };
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** The country line: only abroad (seen from the sender), in capitals, as the postal rules ask. */
function countryLine(address: PostalAddress, sender: LetterSender): string | undefined {
  if (sender.country && sender.country === address.country) return undefined;
  if (!sender.country) return undefined;
  let name: string | undefined;
  try {
    name = countryNames.of(address.country);
  } catch {
    name = undefined;
  }
  return (name ?? address.country).toUpperCase();
}

export function returnLine(sender: LetterSender): string {
  const place = [sender.postalCode, sender.city].filter(Boolean).join(' ');
  return [sender.name, sender.street, place].filter(Boolean).join(' · ');
}

export function footerText(sender: LetterSender): string {
  const place = [sender.postalCode, sender.city].filter(Boolean).join(' ');
  const first = [sender.name, sender.street, place].filter(Boolean).join(' · ');
  const second = [sender.phone, sender.email].filter(Boolean).join(' · ');
  return [first, second].filter(Boolean).join('\n');
}

function formatDate(date: string, locale: string | undefined): string {
  try {
    return new Intl.DateTimeFormat(locale || 'en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
  } catch {
    return date;
  }
}

/** The letter's own HTML (or its text as paragraphs), in a shadow root of its own (see letterShadowFragment). */
export function letterContent(message: OutgoingMessage): string {
  let html = message.html ?? '';
  if (!html.trim() && message.text) {
    html = message.text
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
      .join('');
  }
  return letterShadowFragment(html);
}

export const LETTER_CSS = `
@page { size: A4; margin: 20mm 20mm 24mm 20mm; }
html, body { margin: 0; padding: 0; }
body { font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #111; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.fc-letter { break-before: page; position: relative; }
.fc-letter.fc-first { break-before: auto; }
.fc-head { position: relative; height: 78mm; }
.fc-window { position: absolute; left: 0; top: 25mm; width: 85mm; height: 45mm; padding: 0 5mm; box-sizing: border-box; overflow: hidden; }
.fc-return { height: 17.7mm; display: flex; align-items: flex-end; font-size: 7pt; line-height: 1.2; }
.fc-return span { text-decoration: underline; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fc-recipient { height: 27.3mm; font-size: 10pt; line-height: 1.3; margin-top: 1mm; }
.fc-recipient div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fc-info { position: absolute; left: 105mm; top: 30mm; width: 65mm; font-size: 9pt; text-align: right; }
.fc-main { padding-left: 5mm; }
.fc-subject { font-weight: bold; margin: 0 0 6mm; }
/* A fixed element in a letter would otherwise print on every page of the file. */
.fc-content { contain: layout; }
nav[hidden] { display: none; }
`;

/**
 * One HTML document for many letters: each starts on a new page, with the address in the
 * envelope window (DIN 5008 form B: 20 mm from the left, 45 mm from the top, 85 × 45 mm; it also
 * fits the Dutch window envelopes), the date on the right, the letter's own HTML below and the
 * sender's details in the page footer. Every letter is the target of a hidden link, so
 * Chromium writes a named destination `L<n>` at its first page into the PDF: that is how the
 * pages of each letter are counted in the printed file itself.
 */
export function batchDocument(letters: AddressedLetter[], date: string): string {
  const footers = new Map<string, string>();
  const sections = letters.map(({ message, address }, index) => {
    const sender = senderOf(message);
    const footer = footerText(sender);
    if (!footers.has(footer)) footers.set(footer, `fc-f${footers.size}`);
    const lines = [clean(message.to.name), address.street, `${address.postalCode}  ${address.city}`, countryLine(address, sender)].filter(
      (line): line is string => !!line,
    );
    const back = returnLine(sender);
    return (
      `<section class="fc-letter${index === 0 ? ' fc-first' : ''}" id="L${index}" style="page: ${footers.get(footer)}">` +
      `<div class="fc-head"><div class="fc-window">` +
      `<div class="fc-return">${back ? `<span>${escapeHtml(back)}</span>` : ''}</div>` +
      `<div class="fc-recipient">${lines.map((line) => `<div>${escapeHtml(line)}</div>`).join('')}</div>` +
      `</div><div class="fc-info">${escapeHtml(formatDate(date, message.to.locale))}</div></div>` +
      `<div class="fc-main">${message.subject ? `<p class="fc-subject">${escapeHtml(message.subject)}</p>` : ''}` +
      `<div class="fc-content">${letterContent(message)}</div></div></section>`
    );
  });
  const pageRules = [...footers]
    .map(
      ([text, name]) =>
        `@page ${name} { @bottom-left { content: ${cssString(text)}; white-space: pre; font: 7pt/1.3 "DejaVu Sans", Arial, sans-serif; color: #555; vertical-align: top; padding-top: 5mm; } }`,
    )
    .join('\n');
  const links = letters.map((_, index) => `<a href="#L${index}"></a>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Letters ${escapeHtml(date)}</title><style>${LETTER_CSS}${pageRules}</style></head><body><nav hidden>${links}</nav>${sections.join('')}</body></html>`;
}
