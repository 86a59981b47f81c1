/** How a template's body is turned into a message: MJML compiled to HTML, paged HTML (letters), or plain text (SMS). */
export type TemplateFormat = 'mjml' | 'html' | 'text';

export const TEMPLATE_FORMATS: Record<string, TemplateFormat> = { mjml: 'mjml', html: 'html', txt: 'text' };

export const SUPPORTED_LOCALES = ['nl', 'de', 'en'] as const;

/** What the renderer asks a template source for. Brand and dealer let a source pick a brand's own edits and a dealer's slots. */
export interface TemplateRef {
  /** `<service>/<step>`, e.g. `inspection-reminder/invite`. */
  template: string;
  channel: string;
  locale: string;
  brandId?: string;
  dealerId?: string;
}

/** One channel and locale of a template, as the renderer compiles it. */
export interface TemplateContent {
  template: string;
  channel: string;
  /** The locale actually served (after falling back from the one asked for). */
  locale: string;
  /** Changes whenever the template changes: part of every cache key, so a published change takes effect at once. */
  version: string;
  format: TemplateFormat;
  body: string;
  /** Liquid for the subject line (email, letter), merged per recipient. */
  subject?: string;
  /** Dealer slot values, compiled in (`[[ slots.name ]]`): part of the compile key. Empty until dealer slots exist. */
  slots: Record<string, string>;
}

export interface TemplateSummary {
  template: string;
  version: string;
  name?: string;
  description?: string;
  /** Channel → locales present. */
  channels: Record<string, string[]>;
}

/**
 * Where templates come from. The shipped templates are files (FileTemplateSource); the studio's
 * versions and dealer slots live in the database and come in through another implementation of
 * this interface, bound to the same token.
 */
export interface TemplateSource {
  /** The template for one channel and locale; undefined when the template does not exist or has nothing for the channel. */
  load(ref: TemplateRef): Promise<TemplateContent | undefined>;
  list(): Promise<TemplateSummary[]>;
}

export const TEMPLATE_SOURCE = Symbol('TEMPLATE_SOURCE');

/** The locales to try for a request, best first: the one asked for, its language, then English, then any the template has. */
export function localeCandidates(locale: string, available: string[]): string[] {
  const wanted = (locale || '').toLowerCase();
  const language = wanted.split(/[-_]/)[0];
  const order = [wanted, language, 'en', ...[...available].sort()];
  return [...new Set(order)].filter((l) => l && available.includes(l));
}
