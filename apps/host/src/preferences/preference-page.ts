import { escapeHtml, ThemeTokens } from '../rendering/theme';

export type PageLocale = 'nl' | 'de' | 'en';
export const CHANNELS = ['email', 'sms', 'letter', 'phone'] as const;
export const PURPOSES = ['service', 'marketing'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Purpose = (typeof PURPOSES)[number];

/** What the page shows: the customer's effective choices at each level. */
export interface PreferenceView {
  locale: PageLocale;
  dealerName: string;
  theme: ThemeTokens;
  nothing: boolean;
  channels: Record<Channel, boolean>;
  purposes: Record<Purpose, boolean>;
  vehicles: { id: string; label: string; on: boolean }[];
  email: string;
  phone: string;
  /** The ledger state the form was rendered from (replay safety). */
  version: string;
  /** `?unsubscribe=1`: the "nothing more" choice is pre-selected and highlighted. */
  unsubscribe: boolean;
  notice?: { kind: 'saved' | 'stale' | 'email-sent' | 'error'; text: string };
  errors?: { field: string; message: string }[];
}

const TEXT = {
  nl: {
    title: 'Uw voorkeuren',
    intro: (d: string) => `Hier bepaalt u welke berichten u van ${d} ontvangt. Wijzigingen gelden meteen.`,
    everything: 'Alles',
    nothing: 'Ik wil geen berichten meer ontvangen',
    unsubscribeHint: 'U kwam via de afmeldlink: dit is al voor u gekozen. Klik op Opslaan om u af te melden.',
    channels: 'Hoe wij contact opnemen',
    channel: { email: 'E-mail', sms: 'Sms', letter: 'Post', phone: 'Telefoon' },
    purposes: 'Waarover',
    purpose: { service: 'Onderhoud en APK-herinneringen', marketing: 'Aanbiedingen en nieuws' },
    vehicles: 'Over welke voertuigen',
    contact: 'Uw contactgegevens',
    email: 'E-mailadres',
    emailHint: 'Een nieuw adres geldt pas nadat u het via de link in onze e-mail aan dat adres bevestigt.',
    phone: 'Telefoonnummer',
    save: 'Opslaan',
    saved: 'Uw voorkeuren zijn opgeslagen.',
    stale: 'Uw voorkeuren zijn intussen gewijzigd. Hieronder staat de huidige stand; controleer en sla opnieuw op.',
    emailSent: 'We hebben een bevestigingslink naar het nieuwe e-mailadres gestuurd; het geldt zodra u die link opent.',
    errors: 'Controleer de gemarkeerde velden.',
    notFound: 'Deze link is niet geldig.',
    notFoundText: 'Controleer of u de volledige link uit het bericht heeft gebruikt.',
    expired: 'Deze link is verlopen.',
    expiredText: 'Gebruik de link in een recenter bericht om uw voorkeuren te bekijken.',
    oneClickTitle: 'Afmelden',
    oneClickText: 'Wilt u geen e-mails meer van ons ontvangen? Bevestig hieronder.',
    oneClickButton: 'Afmelden',
    oneClickDone: 'U bent afgemeld. U ontvangt geen e-mails meer van ons.',
    confirmTitle: 'Nieuw e-mailadres bevestigen',
    confirmText: (e: string) => `Bevestig dat wij voortaan ${e} gebruiken.`,
    confirmButton: 'Bevestigen',
    confirmDone: 'Uw nieuwe e-mailadres is bevestigd.',
  },
  de: {
    title: 'Ihre Einstellungen',
    intro: (d: string) => `Hier legen Sie fest, welche Nachrichten Sie von ${d} erhalten. Änderungen gelten sofort.`,
    everything: 'Alles',
    nothing: 'Ich möchte keine Nachrichten mehr erhalten',
    unsubscribeHint: 'Sie kamen über den Abmeldelink: Dies ist bereits für Sie ausgewählt. Klicken Sie auf Speichern, um sich abzumelden.',
    channels: 'Wie wir Sie kontaktieren',
    channel: { email: 'E-Mail', sms: 'SMS', letter: 'Post', phone: 'Telefon' },
    purposes: 'Worüber',
    purpose: { service: 'Wartungs- und HU-Erinnerungen', marketing: 'Angebote und Neuigkeiten' },
    vehicles: 'Zu welchen Fahrzeugen',
    contact: 'Ihre Kontaktdaten',
    email: 'E-Mail-Adresse',
    emailHint: 'Eine neue Adresse gilt erst, wenn Sie sie über den Link in unserer E-Mail an diese Adresse bestätigen.',
    phone: 'Telefonnummer',
    save: 'Speichern',
    saved: 'Ihre Einstellungen wurden gespeichert.',
    stale: 'Ihre Einstellungen wurden inzwischen geändert. Unten sehen Sie den aktuellen Stand; bitte prüfen und erneut speichern.',
    emailSent: 'Wir haben einen Bestätigungslink an die neue E-Mail-Adresse gesendet; sie gilt, sobald Sie den Link öffnen.',
    errors: 'Bitte prüfen Sie die markierten Felder.',
    notFound: 'Dieser Link ist nicht gültig.',
    notFoundText: 'Bitte prüfen Sie, ob Sie den vollständigen Link aus der Nachricht verwendet haben.',
    expired: 'Dieser Link ist abgelaufen.',
    expiredText: 'Nutzen Sie den Link aus einer neueren Nachricht, um Ihre Einstellungen zu sehen.',
    oneClickTitle: 'Abmelden',
    oneClickText: 'Sie möchten keine E-Mails mehr von uns erhalten? Bitte bestätigen Sie unten.',
    oneClickButton: 'Abmelden',
    oneClickDone: 'Sie sind abgemeldet. Sie erhalten keine E-Mails mehr von uns.',
    confirmTitle: 'Neue E-Mail-Adresse bestätigen',
    confirmText: (e: string) => `Bestätigen Sie, dass wir künftig ${e} verwenden.`,
    confirmButton: 'Bestätigen',
    confirmDone: 'Ihre neue E-Mail-Adresse ist bestätigt.',
  },
  en: {
    title: 'Your preferences',
    intro: (d: string) => `Choose which messages you receive from ${d}. Changes apply at once.`,
    everything: 'Everything',
    nothing: 'I do not want to receive any more messages',
    unsubscribeHint: 'You came through the unsubscribe link: this is already selected for you. Select Save to unsubscribe.',
    channels: 'How we contact you',
    channel: { email: 'Email', sms: 'Text message', letter: 'Post', phone: 'Phone' },
    purposes: 'About what',
    purpose: { service: 'Service and inspection reminders', marketing: 'Offers and news' },
    vehicles: 'About which vehicles',
    contact: 'Your contact details',
    email: 'Email address',
    emailHint: 'A new address applies only after you confirm it through the link in our email to that address.',
    phone: 'Phone number',
    save: 'Save',
    saved: 'Your preferences have been saved.',
    stale: 'Your preferences were changed in the meantime. Below is the current state; please check and save again.',
    emailSent: 'We have sent a confirmation link to the new email address; it applies once you open that link.',
    errors: 'Please check the marked fields.',
    notFound: 'This link is not valid.',
    notFoundText: 'Please check that you used the complete link from the message.',
    expired: 'This link has expired.',
    expiredText: 'Use the link in a more recent message to see your preferences.',
    oneClickTitle: 'Unsubscribe',
    oneClickText: 'Do you no longer want to receive emails from us? Please confirm below.',
    oneClickButton: 'Unsubscribe',
    oneClickDone: 'You are unsubscribed. You will receive no more emails from us.',
    confirmTitle: 'Confirm your new email address',
    confirmText: (e: string) => `Confirm that we use ${e} from now on.`,
    confirmButton: 'Confirm',
    confirmDone: 'Your new email address is confirmed.',
  },
} as const;

export type PageText = (typeof TEXT)[PageLocale];

export function textFor(locale: PageLocale): PageText {
  return TEXT[locale];
}

/** nl, de or en from the first of these that is one of them; else English. */
export function pageLocale(...candidates: (string | null | undefined)[]): PageLocale {
  for (const c of candidates) {
    const l = (c ?? '').slice(0, 2).toLowerCase();
    if (l === 'nl' || l === 'de' || l === 'en') return l;
  }
  return 'en';
}

/** Headers of every public page: never cached, never indexed, no referrer, no script at all. */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

const NEUTRAL: ThemeTokens = {
  brandName: '',
  primaryColor: '#1f2328',
  secondaryColor: '#1f2328',
  onPrimaryColor: '#ffffff',
  fontFamily: 'Helvetica, Arial, sans-serif',
};

/** The style block per theme, made once per theme object (the directory keeps them for a while). */
const styles = new WeakMap<ThemeTokens, string>();

function styleOf(t: ThemeTokens): string {
  let css = styles.get(t);
  if (css === undefined) {
    css =
      `<style>body{margin:0;background:#f3f4f6;color:#1f2328;font-family:${t.fontFamily};font-size:17px;line-height:1.5}` +
      `header{background:${t.primaryColor};color:${t.onPrimaryColor};padding:16px 24px}header img{max-height:48px;display:block}` +
      `header strong{font-size:20px}main{max-width:640px;margin:0 auto;background:#fff;padding:8px 24px 32px}` +
      `h1{font-size:26px;margin:16px 0 8px}fieldset{border:1px solid #8c959f;border-radius:6px;margin:16px 0;padding:8px 16px 12px}` +
      `legend{font-weight:700;padding:0 6px}label{display:block;padding:6px 0;cursor:pointer}` +
      `input[type=checkbox]{width:20px;height:20px;margin:0 10px 0 0;vertical-align:-4px}` +
      `input[type=email],input[type=tel]{display:block;width:100%;box-sizing:border-box;font:inherit;padding:8px;border:1px solid #57606a;border-radius:4px}` +
      `button{font:inherit;font-weight:700;background:${t.primaryColor};color:${t.onPrimaryColor};border:2px solid ${t.primaryColor};border-radius:6px;padding:12px 28px;cursor:pointer}` +
      `:focus-visible{outline:3px solid #0969da;outline-offset:2px}.hint{color:#57606a;font-size:15px;margin:2px 0 8px}` +
      `.notice{border-left:4px solid ${t.primaryColor};background:#f6f8fa;padding:10px 14px;margin:16px 0}` +
      `.nothing{border-width:3px;border-color:${t.primaryColor}}.error{color:#b42318;font-weight:600}` +
      `</style>`;
    styles.set(t, css);
  }
  return css;
}

function frame(locale: PageLocale, theme: ThemeTokens, title: string, body: string): string {
  const brand = theme.logoUrl
    ? `<img src="${escapeHtml(theme.logoUrl)}" alt="${escapeHtml(theme.brandName)}">`
    : `<strong>${escapeHtml(theme.brandName)}</strong>`;
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title>${styleOf(theme)}</head>` +
    `<body><header>${brand}</header><main>${body}</main></body></html>`
  );
}

function checkbox(name: string, value: string, checked: boolean, label: string, id: string): string {
  return `<label for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${escapeHtml(value)}"${checked ? ' checked' : ''}>${escapeHtml(label)}</label>`;
}

/** The preference center: one form, posted back to the same address; no script. */
export function preferencePage(v: PreferenceView, action: string): string {
  const t = TEXT[v.locale];
  const errorOf = (field: string) => v.errors?.find((e) => e.field === field)?.message;
  const fieldError = (field: string) => {
    const message = errorOf(field);
    return message ? `<p class="error" id="${field}-error">${escapeHtml(field)}: ${escapeHtml(message)}</p>` : '';
  };
  const described = (field: string) => (errorOf(field) ? ` aria-invalid="true" aria-describedby="${field}-error"` : '');
  let body = `<h1>${escapeHtml(t.title)}</h1><p>${escapeHtml(t.intro(v.dealerName))}</p>`;
  if (v.notice) body += `<p class="notice" role="status">${escapeHtml(v.notice.text)}</p>`;
  if (v.errors?.length) body += `<p class="notice error" role="alert">${escapeHtml(t.errors)}</p>`;
  body += `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="version" value="${escapeHtml(v.version)}">`;
  const nothingChecked = v.nothing || v.unsubscribe;
  body +=
    `<fieldset${v.unsubscribe ? ' class="nothing"' : ''}><legend>${escapeHtml(t.everything)}</legend>` +
    checkbox('nothing', '1', nothingChecked, t.nothing, 'nothing') +
    (v.unsubscribe ? `<p class="hint">${escapeHtml(t.unsubscribeHint)}</p>` : '') +
    `</fieldset>`;
  body += `<fieldset><legend>${escapeHtml(t.channels)}</legend>`;
  for (const c of CHANNELS) body += checkbox('channel', c, v.channels[c], t.channel[c], `channel-${c}`);
  body += `</fieldset><fieldset><legend>${escapeHtml(t.purposes)}</legend>`;
  for (const p of PURPOSES) body += checkbox('purpose', p, v.purposes[p], t.purpose[p], `purpose-${p}`);
  body += `</fieldset>`;
  if (v.vehicles.length) {
    body += `<fieldset><legend>${escapeHtml(t.vehicles)}</legend>`;
    v.vehicles.forEach((vehicle, i) => (body += checkbox('vehicle', vehicle.id, vehicle.on, vehicle.label, `vehicle-${i}`)));
    body += `</fieldset>`;
  }
  body +=
    `<fieldset><legend>${escapeHtml(t.contact)}</legend>` +
    `<label for="email">${escapeHtml(t.email)}</label><input type="email" id="email" name="email" autocomplete="email" value="${escapeHtml(v.email)}"${described('email')}>` +
    fieldError('email') +
    `<p class="hint">${escapeHtml(t.emailHint)}</p>` +
    `<label for="phone">${escapeHtml(t.phone)}</label><input type="tel" id="phone" name="phone" autocomplete="tel" value="${escapeHtml(v.phone)}"${described('phone')}>` +
    fieldError('phone') +
    `</fieldset>` +
    fieldError('version') +
    fieldError('vehicle') +
    `<button type="submit">${escapeHtml(t.save)}</button></form>`;
  return frame(v.locale, v.theme, `${t.title} · ${v.dealerName}`, body);
}

/** A page that says only that the link leads nowhere: nothing about any customer, dealer or brand. */
export function neutralPage(kind: 'not-found' | 'expired', locale?: PageLocale): string {
  const locales: PageLocale[] = locale ? [locale] : ['nl', 'de', 'en'];
  const body = locales
    .map((l) => {
      const t = TEXT[l];
      return `<section lang="${l}"><h1>${escapeHtml(kind === 'expired' ? t.expired : t.notFound)}</h1><p>${escapeHtml(kind === 'expired' ? t.expiredText : t.notFoundText)}</p></section>`;
    })
    .join('');
  return frame(locale ?? 'en', NEUTRAL, TEXT[locale ?? 'en'][kind === 'expired' ? 'expired' : 'notFound'], body);
}

/** A small page with one button that posts back (GET never changes anything), or the outcome when done. */
export function buttonPage(locale: PageLocale, theme: ThemeTokens, title: string, text: string, action?: { url: string; label: string }): string {
  const form = action ? `<form method="post" action="${escapeHtml(action.url)}"><button type="submit">${escapeHtml(action.label)}</button></form>` : '';
  return frame(locale, theme, title, `<h1>${escapeHtml(title)}</h1><p role="status">${escapeHtml(text)}</p>${form}`);
}
