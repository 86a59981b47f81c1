import { letterShadowFragment } from '@forecourt/sdk';
import { escapeHtml } from '../rendering/theme';

/** A recipient's postal address as the preview shows it in the envelope window. */
export interface PreviewAddress {
  name: string;
  street: string;
  postalCode: string;
  city: string;
}

/**
 * A letter template's HTML on an A4 sheet as it will print: the address in the envelope window
 * (DIN 5008 form B, 20 mm from the left and 45 mm from the top, 85 × 45 mm, as the letter channel
 * places it), the date on the right, the subject, then the letter. The letter's own HTML sits in a
 * shadow root, so its styles stay on the sheet, as in the letter channel's print files.
 * For the studio's preview: a page to look at, not the print file.
 */
export function letterPreviewPage(letterHtml: string, subject: string | undefined, address: PreviewAddress, date: string): string {
  const lines = [address.name, address.street, `${address.postalCode}  ${address.city}`].map((l) => `<div>${escapeHtml(l)}</div>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
html { background: #d9dce1; }
body { margin: 0; padding: 12px 0; font: 10.5pt/1.45 Arial, Helvetica, sans-serif; color: #111; }
.sheet { width: 210mm; min-height: 297mm; margin: 0 auto; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.25); padding: 20mm 20mm 24mm; box-sizing: border-box; position: relative; }
.head { position: relative; height: 58mm; }
.window { position: absolute; left: 0; top: 25mm; width: 85mm; height: 45mm; padding: 0 5mm; box-sizing: border-box; outline: 1px dashed #9aa3ad; }
.window::before { content: 'address window'; position: absolute; right: 2mm; top: 1mm; font-size: 6pt; color: #9aa3ad; }
.recipient { margin-top: 18.7mm; font-size: 10pt; line-height: 1.3; }
.info { position: absolute; left: 105mm; top: 30mm; width: 65mm; font-size: 9pt; text-align: right; }
.main { padding-left: 5mm; margin-top: 20mm; }
.subject { font-weight: bold; margin: 0 0 6mm; }
</style></head><body><div class="sheet"><div class="head"><div class="window"><div class="recipient">${lines}</div></div><div class="info">${escapeHtml(date)}</div></div>` +
    `<div class="main">${subject ? `<p class="subject">${escapeHtml(subject)}</p>` : ''}<div>${letterShadowFragment(letterHtml)}</div></div></div></body></html>`;
}
