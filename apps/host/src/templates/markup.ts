import render from 'dom-serializer';
import { ChildNode, Document, Element, isTag, isText } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import type { TemplateFormat } from '../rendering/template-source';

/**
 * Template markup as the studio saves it: MJML for email, paged HTML for letters. Parsed with
 * htmlparser2 without touching entities, so Liquid (`{% if vehicles.size > 1 %}`) and the
 * `[[ theme.* ]]` tokens come back as they went in. Only what these functions change is
 * re-serialised; a template with nothing to remove is stored as it was written.
 */

const PARSE = { recognizeSelfClosing: true, lowerCaseTags: false, lowerCaseAttributeNames: false, decodeEntities: false } as const;
const SERIALISE = { decodeEntities: false, encodeEntities: false, emptyAttrs: true } as const;

export interface SlotDefinition {
  name: string;
  kind: 'text' | 'rich-text' | 'image';
  maxLength?: number;
  label?: string;
}

export const SLOT_KINDS = ['text', 'rich-text', 'image'] as const;
export const SLOT_NAME = /^[a-z][a-z0-9-]{0,40}$/;

function parse(source: string): Document {
  return parseDocument(source, PARSE);
}

function serialise(node: Document | ChildNode | ChildNode[]): string {
  return render(node as never, SERIALISE);
}

/**
 * GrapesJS and other HTML editors write `>` in text as `&gt;`, which turns `{% if a > 1 %}` into
 * a Liquid syntax error. Inside Liquid delimiters the entities are turned back into characters.
 */
export function normaliseLiquid(source: string): string {
  return source.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, (tag) =>
    tag.replace(/&(gt|lt|amp|quot|#39|#039|apos|nbsp);/g, (_, name: string) => ({ gt: '>', lt: '<', amp: '&', quot: '"', '#39': "'", '#039': "'", apos: "'", nbsp: ' ' })[name]!),
  );
}

/** Elements that run code, load other documents or submit data: never part of a message. */
const DROPPED_ELEMENTS = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'form', 'input', 'button', 'textarea', 'select', 'meta', 'link', 'noscript', 'template', 'portal']);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'background', 'poster', 'xlink:href', 'srcset', 'data', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'ping']);

/** A URL a message may carry: no script schemes, and data: only for images. */
function safeUrl(attribute: string, value: string): boolean {
  // Browsers skip control characters and spaces inside a scheme ("java\tscript:").
  // eslint-disable-next-line no-control-regex
  const plain = decodeEntities(value).replace(/[\u0000-\u0020\u007f-\u009f]+/g, '').toLowerCase();
  if (/^(javascript|vbscript|livescript|mocha):/.test(plain)) return false;
  if (plain.startsWith('data:')) return attribute === 'src' && /^data:image\/(png|jpe?g|gif|webp);/.test(plain);
  return true;
}

function safeStyle(value: string): boolean {
  const plain = decodeEntities(value).replace(/\s+|\\/g, '').toLowerCase();
  return !/expression\(|javascript:|vbscript:|behavior:|-moz-binding|@import/.test(plain);
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16) || 0))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec) || 0))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;/gi, '\t')
    .replace(/&newline;/gi, '\n');
}

export interface Sanitised {
  body: string;
  /** What was taken out, for the answer: `script`, `onclick on mj-button`, … */
  removed: string[];
}

/**
 * Template markup with everything that could run code taken out: script-like elements, event
 * handler attributes, script URLs, and CSS that runs code. Text formats (SMS) are not HTML and
 * come back unchanged.
 */
export function sanitiseMarkup(format: TemplateFormat, source: string): Sanitised {
  const normalised = normaliseLiquid(source);
  if (format === 'text') return { body: normalised, removed: [] };
  const doc = parse(normalised);
  const removed: string[] = [];
  const visit = (nodes: ChildNode[]) => {
    for (const node of [...nodes]) {
      if (!isTag(node)) {
        if (node.type === 'directive' && /^!?doctype/i.test((node as unknown as { data: string }).data)) continue;
        if (node.type === 'directive' || node.type === 'cdata') removeNode(node, removed, node.type);
        continue;
      }
      const name = node.name.toLowerCase();
      if (DROPPED_ELEMENTS.has(name)) {
        removeNode(node, removed, name);
        continue;
      }
      if (name === 'style' || name === 'mj-style') {
        const css = serialise(node.children);
        if (!safeStyle(css)) {
          removeNode(node, removed, `${name} with script-running CSS`);
          continue;
        }
      }
      for (const [attribute, value] of Object.entries(node.attribs)) {
        const lower = attribute.toLowerCase();
        const unsafe =
          lower.startsWith('on') ||
          lower === 'formaction' ||
          lower === 'srcdoc' ||
          (URL_ATTRIBUTES.has(lower) && !safeUrl(lower, value)) ||
          (lower === 'style' && !safeStyle(value)) ||
          (lower === 'http-equiv');
        if (unsafe) {
          delete node.attribs[attribute];
          removed.push(`${attribute} on ${node.name}`);
        }
      }
      visit(node.children);
    }
  };
  visit(doc.children);
  return { body: removed.length ? serialise(doc) : normalised, removed };
}

function removeNode(node: ChildNode, removed: string[], what: string): void {
  removed.push(what);
  const siblings = node.parent?.children;
  if (siblings) siblings.splice(siblings.indexOf(node), 1);
}

const RICH_TEXT_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'br', 'p', 'span', 'a', 'ul', 'ol', 'li', 'small', 'sup', 'sub']);

/**
 * A dealer's rich-text slot: a few inline tags, links to http(s), mailto and tel only, no styles
 * or classes of its own. Merge fields stay (the brand's default signature uses them); the dealer
 * slots service checks that they parse.
 */
export function sanitiseRichText(value: string): string {
  const doc = parse(value);
  const visit = (nodes: ChildNode[]) => {
    for (const node of [...nodes]) {
      if (isText(node)) continue;
      if (!isTag(node)) {
        node.parent?.children.splice(node.parent.children.indexOf(node), 1);
        continue;
      }
      const name = node.name.toLowerCase();
      if (!RICH_TEXT_TAGS.has(name)) {
        const siblings = node.parent ? node.parent.children : doc.children;
        const at = siblings.indexOf(node);
        // Unknown wrappers give up their text; code-like elements go with their content.
        const keep = DROPPED_ELEMENTS.has(name) || name === 'style' ? [] : node.children;
        for (const child of keep) child.parent = node.parent;
        siblings.splice(at, 1, ...keep);
        visit(keep);
        continue;
      }
      const href = node.attribs.href;
      node.attribs = {};
      if (name === 'a' && href && /^(https?:\/\/|mailto:|tel:)/i.test(decodeEntities(href).trim())) node.attribs.href = href;
      visit(node.children);
    }
  };
  visit(doc.children);
  return normaliseLiquid(serialise(doc)).replace(/\[\[/g, '&#91;&#91;');
}

/** Plain text for a text slot: escaped for HTML outside its merge fields, line breaks kept. */
export function textSlotHtml(value: string): string {
  return value
    .split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\})/)
    .map((part, i) => (i % 2 ? part : part.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!).replace(/\[\[/g, '&#91;&#91;').replace(/\r?\n/g, '<br />')))
    .join('');
}

/** The slot name an element is marked with: `css-class="fc-slot-<name>"` in MJML, `data-slot="<name>"` in letter HTML. */
function slotOf(format: TemplateFormat, node: Element): string | undefined {
  if (format === 'mjml') return /(?:^|\s)fc-slot-([a-z][a-z0-9-]*)(?:\s|$)/.exec(node.attribs['css-class'] ?? '')?.[1];
  return node.attribs['data-slot'];
}

function elements(nodes: ChildNode[], out: Element[] = []): Element[] {
  for (const node of nodes) {
    if (!isTag(node)) continue;
    out.push(node);
    elements(node.children, out);
  }
  return out;
}

/** The names of the slots marked in a body, in document order. */
export function markedSlots(format: TemplateFormat, body: string): string[] {
  if (format === 'text') return [];
  const names = elements(parse(body).children)
    .map((e) => slotOf(format, e))
    .filter((n): n is string => !!n);
  return [...new Set(names)];
}

function isImageElement(node: Element): boolean {
  return node.name === 'mj-image' || node.name.toLowerCase() === 'img';
}

/** What a slot holds in a body: an image's src, else the element's inner markup. */
export function slotContents(format: TemplateFormat, body: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (format === 'text') return out;
  for (const node of elements(parse(body).children)) {
    const name = slotOf(format, node);
    if (name && !(name in out)) out[name] = isImageElement(node) ? (node.attribs.src ?? '') : serialise(node.children).trim();
  }
  return out;
}

/**
 * The body with a dealer's slot values in place of the brand's defaults. Values are already made
 * safe (see the slot kinds); an image slot sets the src, the others replace the element's content.
 */
export function fillSlots(format: TemplateFormat, body: string, values: Record<string, string>): string {
  if (format === 'text' || !Object.keys(values).length) return body;
  const doc = parse(body);
  let changed = false;
  for (const node of elements(doc.children)) {
    const name = slotOf(format, node);
    if (!name || values[name] === undefined) continue;
    changed = true;
    if (isImageElement(node)) {
      node.attribs.src = values[name].replace(/"/g, '%22');
      continue;
    }
    const fragment = parse(values[name]);
    for (const child of fragment.children) child.parent = node;
    node.children = fragment.children;
  }
  return changed ? serialise(doc) : body;
}

/**
 * Where a dealer's version of a body departs from the brand's outside the open slots: a
 * description of the first component that differs, or undefined when only slots changed. Slot
 * elements are compared by name and attributes (an image slot's src is its content).
 */
export function lockedDifference(format: TemplateFormat, master: string, candidate: string, open: ReadonlySet<string>): string | undefined {
  const a = parse(normaliseLiquid(master));
  const b = parse(normaliseLiquid(candidate));
  return compareChildren(format, a.children, b.children, open, []);
}

function meaningful(nodes: ChildNode[]): ChildNode[] {
  return nodes.filter((n) => (isText(n) ? n.data.trim() !== '' : n.type !== 'comment'));
}

function compareChildren(format: TemplateFormat, left: ChildNode[], right: ChildNode[], open: ReadonlySet<string>, path: string[], parent?: Element): string | undefined {
  const a = meaningful(left);
  const b = meaningful(right);
  const counts = new Map<string, number>();
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const name = x && isTag(x) ? x.name : y && isTag(y) ? y.name : 'text';
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const here = [...path, `${name} ${counts.get(name)}`];
    const where = () => describe(x && isTag(x) ? x : y && isTag(y) ? y : undefined, here);
    if (!x || !y) return `${where()} was ${x ? 'removed' : 'added'}`;
    if (isText(x) || isText(y)) {
      if (!(isText(x) && isText(y)) || squash(x.data) !== squash(y.data)) return `the text in ${describe(parent, path)} was changed`;
      continue;
    }
    if (!isTag(x) || !isTag(y)) continue;
    if (x.name !== y.name) return `${where()} was replaced by ${y.name}`;
    const slot = slotOf(format, x);
    const isOpen = slot !== undefined && open.has(slot);
    const attrs = (e: Element) =>
      JSON.stringify(
        Object.entries(e.attribs)
          .filter(([k]) => !(isOpen && isImageElement(e) && k === 'src'))
          .sort(([p], [q]) => p.localeCompare(q)),
      );
    if (attrs(x) !== attrs(y)) return `${where()} has changed attributes`;
    if (isOpen) continue;
    const inner = compareChildren(format, x.children, y.children, open, here, x);
    if (inner) return inner;
  }
  return undefined;
}

function describe(node: Element | undefined, path: string[]): string {
  const marks = node ? [node.attribs['css-class'], node.attribs['mj-class'], node.attribs.class, node.attribs.id].filter(Boolean).join(' ') : '';
  return `component ${path.join(' › ') || 'the document'}${marks ? ` (${marks})` : ''}`;
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
