/**
 * What the studio does to an MJML master around GrapesJS, as plain string functions.
 *
 * GrapesJS parses markup with the browser's HTML parser and writes it back from its own model,
 * which would lose three things a master relies on:
 * - `mj-head` (mj-attributes, mj-style, mj-title, mj-preview): kept aside verbatim and put back on
 *   export, so the editor never touches it;
 * - the rows of an `mj-table`, the inside of an `mj-raw` and the HTML of an `mj-text`: the HTML parser
 *   drops `<tr>` outside a real table and moves Liquid out from between a table's rows, so their inner
 *   markup is kept aside (see `takePacked`) and written back as is;
 * - Liquid: text nodes come back HTML-escaped (`{% if vehicles.size &gt; 1 %}`), so entities inside
 *   `{% %}` and `{{ }}` are turned back into characters.
 */

/** Elements whose content is markup GrapesJS must not parse; they are opaque components in the editor. */
export const RAW_TAGS = ['mj-table', 'mj-raw'] as const;

/** Elements whose content is packed too, so the HTML parser cannot rearrange it (mj-text stays editable as text). */
const PACKED_TAGS = [...RAW_TAGS, 'mj-text'];

/**
 * Inner markup taken out of the source before GrapesJS parses it, by the id the element gets
 * instead (ids are the one attribute grapesjs-mjml never writes back into the MJML).
 */
const packed = new Map<string, string>();
let packedCount = 0;
export const PACKED_ID_PREFIX = 'fc-packed-';

/** The inner markup packed for an element (null when the element was not packed); kept until the next document is opened. */
export function takePacked(id: string | null | undefined): string | null {
  return id?.startsWith(PACKED_ID_PREFIX) ? (packed.get(id) ?? null) : null;
}

export interface MjmlDocument {
  /** `<mj-head>…</mj-head>` exactly as written, or '' when the master has none. */
  head: string;
  /** The master without its head, raw elements packed: what GrapesJS loads. */
  editable: string;
}

const HEAD = /<mj-head\b[^>]*>[\s\S]*?<\/mj-head>\s*/i;

export function openMjml(source: string): MjmlDocument {
  const head = HEAD.exec(source)?.[0]?.trimEnd() ?? '';
  const withoutHead = head ? source.replace(HEAD, '') : source;
  packed.clear();
  return { head, editable: packRaw(expandSelfClosing(withoutHead)) };
}

/** `<mj-image … />` as `<mj-image …></mj-image>`: the HTML parser ignores the slash and would put the next elements inside. */
export function expandSelfClosing(source: string): string {
  return source.replace(/<(mj-[a-z-]+)\b([^>]*?)\s*\/>/gi, (_, tag: string, attributes: string) => `<${tag}${attributes}></${tag}>`);
}

/** The editor's MJML back into a whole master: head restored, Liquid unescaped. */
export function closeMjml(editorMjml: string, head: string): string {
  let out = formatMjml(unescapeLiquid(editorMjml.trim()));
  if (head) {
    out = /<mjml\b[^>]*>/i.test(out) ? out.replace(/<mjml\b[^>]*>/i, (open) => `${open}\n  ${head}`) : `<mjml>\n  ${head}\n${out}\n</mjml>`;
  }
  return out;
}

/** MJML elements whose content is text or HTML, kept on one line as written. */
const ENDING_TAGS = new Set(['mj-text', 'mj-button', 'mj-table', 'mj-raw', 'mj-navbar-link', 'mj-social-element', 'mj-accordion-title', 'mj-accordion-text', 'mj-title', 'mj-preview', 'mj-style']);
const VOID_LOOKING = new Set(['mj-image', 'mj-divider', 'mj-spacer', 'mj-carousel-image', 'mj-all', 'mj-class', 'mj-font', 'mj-breakpoint']);

/**
 * One element per line, indented by depth (GrapesJS writes the body on one line), so a
 * validation error's line number points at one element. Content of text-like elements is left as
 * it is; empty image-like elements are written self-closing again.
 */
export function formatMjml(source: string): string {
  const tag = /<(\/?)(mj-[a-z-]+|mjml)\b([^>]*?)(\/?)>/gi;
  const lines: string[] = [];
  let depth = 0;
  let at = 0;
  for (let match = tag.exec(source); match; match = tag.exec(source)) {
    const [whole, closing, name, , selfClosing] = match;
    const lower = name.toLowerCase();
    if (!closing && !selfClosing && ENDING_TAGS.has(lower)) {
      const end = source.indexOf(`</${name}>`, match.index + whole.length);
      if (end < 0) break;
      lines.push('  '.repeat(depth) + source.slice(match.index, end + name.length + 3).trim());
      tag.lastIndex = at = end + name.length + 3;
      continue;
    }
    if (!closing && !selfClosing && VOID_LOOKING.has(lower)) {
      const close = new RegExp(`^\\s*</${name}>`, 'i').exec(source.slice(match.index + whole.length));
      if (close) {
        lines.push('  '.repeat(depth) + whole.replace(/\s*>$/, ' />'));
        tag.lastIndex = at = match.index + whole.length + close[0].length;
        continue;
      }
    }
    const between = source.slice(at, match.index).trim();
    if (between) lines.push('  '.repeat(depth) + between);
    if (closing) depth = Math.max(0, depth - 1);
    lines.push('  '.repeat(depth) + whole);
    if (!closing && !selfClosing) depth++;
    at = match.index + whole.length;
  }
  const rest = source.slice(at).trim();
  if (rest) lines.push(rest);
  return lines.join('\n');
}

export function packRaw(source: string): string {
  const tags = PACKED_TAGS.join('|');
  return source.replace(new RegExp(`<(${tags})\\b([^>]*?)\\s*(/?)>(?:([\\s\\S]*?)<\\/\\1>)?`, 'gi'), (whole, tag: string, attrs: string, selfClosing: string, inner?: string) => {
    if (selfClosing) return whole;
    if (/\bid="/i.test(attrs)) return whole;
    const id = `${PACKED_ID_PREFIX}${++packedCount}`;
    packed.set(id, inner ?? '');
    return `<${tag}${attrs} id="${id}"></${tag}>`;
  });
}

const ENTITIES: Record<string, string> = { '&gt;': '>', '&lt;': '<', '&amp;': '&', '&quot;': '"', '&#34;': '"', '&#39;': "'", '&#039;': "'", '&#x27;': "'", '&nbsp;': ' ' };

/** Entities inside Liquid tags and outputs back to the characters Liquid needs. */
export function unescapeLiquid(source: string): string {
  return source.replace(/\{%[\s\S]*?%\}|\{\{[\s\S]*?\}\}/g, (liquid) => {
    let out = liquid;
    // `&amp;gt;` from a value escaped twice comes back in two passes.
    for (let pass = 0; pass < 2; pass++) out = out.replace(/&(?:gt|lt|amp|quot|nbsp|#34|#39|#039|#x27);/g, (entity) => ENTITIES[entity]);
    return out;
  });
}

/** The class that marks an element as the dealer slot `name` (MJML's css-class). */
export const slotClass = (name: string) => `fc-slot-${name}`;

/** The slot names an element's css-class names. */
export function slotNamesOf(cssClass: string | undefined): string[] {
  return (cssClass ?? '')
    .split(/\s+/)
    .filter((c) => c.startsWith('fc-slot-'))
    .map((c) => c.slice('fc-slot-'.length));
}

/** A css-class with the slot class for `name` set (or removed when name is null), other classes kept. */
export function withSlotClass(cssClass: string | undefined, name: string | null): string {
  const others = (cssClass ?? '').split(/\s+/).filter((c) => c && !c.startsWith('fc-slot-'));
  return [...others, ...(name ? [slotClass(name)] : [])].join(' ');
}

/** The line of `source` a validation error names, for showing beside the message. */
export function lineOf(source: string, line: number | undefined): string | undefined {
  if (!line) return undefined;
  return source.split('\n')[line - 1]?.trim();
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The master with a dealer's slot values in place: a text's inner HTML, an image's src. */
export function fillMjmlSlots(source: string, values: Record<string, string>): string {
  let out = source;
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') continue;
    const open = new RegExp(`<(mj-[a-z-]+)\\b([^>]*\\bcss-class="[^"]*\\bfc-slot-${escapeRegExp(name)}\\b[^"]*"[^>]*?)(\\/?)>`, 'i');
    const match = open.exec(out);
    if (!match) continue;
    const [tag, tagName, attributes, selfClosing] = match;
    const start = match.index;
    if (tagName.toLowerCase() === 'mj-image') {
      const src = value.replace(/"/g, '&quot;');
      const withSrc = /\bsrc="[^"]*"/.test(attributes) ? attributes.replace(/\bsrc="[^"]*"/, `src="${src}"`) : `${attributes} src="${src}"`;
      out = out.slice(0, start) + `<${tagName}${withSrc}${selfClosing}>` + out.slice(start + tag.length);
      continue;
    }
    const close = out.indexOf(`</${tagName}>`, start + tag.length);
    if (selfClosing || close < 0) continue;
    out = out.slice(0, start + tag.length) + value + out.slice(close);
  }
  return out;
}

/** Slot names marked in letter HTML (`data-slot="name"`). */
export function htmlSlotNames(source: string): string[] {
  return [...new Set([...source.matchAll(/\bdata-slot="([a-z0-9-]+)"/gi)].map((m) => m[1]))];
}

/**
 * What each slot holds in the brand's master (a text's inner HTML, an image's src; in letter HTML
 * the element's inner HTML): a dealer who leaves a slot as it is keeps following the brand's text.
 */
export function brandSlotContents(format: 'mjml' | 'html' | 'text', source: string, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const marker = format === 'mjml' ? `\\bcss-class="[^"]*\\bfc-slot-${escapeRegExp(name)}\\b[^"]*"` : `\\bdata-slot="${escapeRegExp(name)}"`;
    const match = new RegExp(`<([a-z][a-z0-9-]*)\\b([^>]*${marker}[^>]*?)(\\/?)>`, 'i').exec(source);
    if (!match) continue;
    const [tag, tagName, attributes, selfClosing] = match;
    if (tagName.toLowerCase() === 'mj-image') {
      out[name] = /\bsrc="([^"]*)"/.exec(attributes)?.[1] ?? '';
      continue;
    }
    if (selfClosing) continue;
    // The matching close tag, counting elements of the same name opened inside.
    const pattern = new RegExp(`<(/?)${tagName}\\b[^>]*>`, 'gi');
    pattern.lastIndex = match.index + tag.length;
    let depth = 1;
    for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
      depth += m[1] ? -1 : 1;
      if (depth === 0) {
        out[name] = source.slice(match.index + tag.length, m.index);
        break;
      }
    }
  }
  return out;
}
