/**
 * SMS segment counting (3GPP TS 23.038 / 23.040), as carriers bill it.
 *
 * A text that fits the GSM-7 alphabet takes one septet per character of the basic set and two
 * (an escape and the character) per character of the extension table; anything else makes the
 * whole message UCS-2, two bytes per UTF-16 code unit. A single SMS holds 160 septets or 70 code
 * units; a longer one is split into parts of 153 septets or 67 code units, the rest of each part
 * being the concatenation header. An escape pair or a surrogate pair is never split across parts.
 */

/** The GSM 03.38 basic character set, less the escape code itself. */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each of these is sent as escape + character, two septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  /** Parts the text is sent in; 0 for an empty text. */
  segments: number;
}

const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** Septets a character takes in GSM-7, or undefined when it is not in the alphabet. */
function gsm7Cost(char: string): number | undefined {
  if (BASIC.has(char)) return 1;
  if (EXTENSION.has(char)) return 2;
  return undefined;
}

/** Parts needed when characters of the given sizes are laid out without splitting one. */
function parts(costs: number[], encoding: SmsEncoding): number {
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  if (total === 0) return 0;
  const { single, part } = LIMITS[encoding];
  if (total <= single) return 1;
  let count = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      count++;
      used = 0;
    }
    used += cost;
  }
  return count;
}

/** How an SMS with this text is encoded and how many segments it is sent (and billed) as. */
export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  const gsm = chars.map(gsm7Cost);
  if (gsm.every((cost): cost is number => cost !== undefined)) {
    return { encoding: 'GSM-7', units: gsm.reduce((sum, cost) => sum + cost, 0), segments: parts(gsm, 'GSM-7') };
  }
  const ucs = chars.map((char) => char.length);
  return { encoding: 'UCS-2', units: text.length, segments: parts(ucs, 'UCS-2') };
}
