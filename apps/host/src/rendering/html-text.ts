import { compile, HtmlToTextOptions } from 'html-to-text';

type Walk = (nodes: unknown[], builder: unknown) => void;
interface Node {
  type?: string;
  name?: string;
  prev?: Node | null;
  children?: unknown[];
}
interface Builder {
  addInline(text: string, options?: Record<string, unknown>): void;
}

function previousElement(node: Node): Node | undefined {
  let prev = node.prev;
  while (prev && prev.type !== 'tag') prev = prev.prev;
  return prev ?? undefined;
}

/**
 * Plain-text alternative of a message: images and hidden preview text left out, links as
 * `text [url]`, rows of tables marked `fc-row` on their own lines with their `fc-cell` cells
 * separated by ` | ` (the vehicle table), no wrapping (mail clients wrap).
 */
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'block' },
    { selector: 'tr.fc-row', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td.fc-cell', format: 'fcCell' },
    { selector: 'th.fc-cell', format: 'fcCell' },
    // mj-preview's hidden inbox preview line
    { selector: 'div[style^="display:none"]', format: 'skip' },
  ],
  formatters: {
    fcCell(elem: Node, walk: Walk, builder: Builder) {
      if (previousElement(elem)) builder.addInline(' | ');
      walk(elem.children ?? [], builder);
    },
  } as unknown as HtmlToTextOptions['formatters'],
};

const convert = compile(OPTIONS);

const UNTIDY = /[ \t]\n|[ \t]$|\n\n\n/;

/** Tidies what a merge leaves: trailing spaces, runs of blank lines. Most merges leave neither, and a test is cheaper than the passes. */
export function tidyText(text: string): string {
  if (!UNTIDY.test(text)) return text.trim();
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function htmlToPlainText(html: string): string {
  return tidyText(convert(html));
}

const OUTPUT_OPEN = '\uE000';
const OUTPUT_CLOSE = '\uE001';
const TAG_OPEN = '\uE002';
const TAG_CLOSE = '\uE003';

/**
 * The text alternative of a compiled template, as a Liquid template of its own: converted from
 * the HTML once per compile instead of once per recipient (the conversion costs ten merges).
 * Liquid in the HTML is swapped for placeholders the converter leaves alone (the same source, the
 * same placeholder, so a mailto link whose text is its address is still shown once), and swapped
 * back after. A line holding only Liquid tags takes no line of its own, as `-%}` would do.
 */
export function textTemplateFromHtml(html: string): string {
  const sources: string[] = [];
  const index = new Map<string, number>();
  const placeholder = (source: string) => {
    let i = index.get(source);
    if (i === undefined) {
      i = sources.push(source) - 1;
      index.set(source, i);
    }
    return source.startsWith('{%') ? `${TAG_OPEN}${i}${TAG_CLOSE}` : `${OUTPUT_OPEN}${i}${OUTPUT_CLOSE}`;
  };
  const hidden = html.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, placeholder);
  const text = convert(hidden).replace(new RegExp(`^[ \\t]*((?:${TAG_OPEN}\\d+${TAG_CLOSE}[ \\t]*)+)\\n+`, 'gm'), '$1');
  return text.replace(new RegExp(`[${OUTPUT_OPEN}${TAG_OPEN}](\\d+)[${OUTPUT_CLOSE}${TAG_CLOSE}]`, 'g'), (_, i: string) => sources[Number(i)]);
}
