import { Context, Emitter, Liquid, Parser, Tag, TagToken, Template, TopLevelToken } from 'liquidjs';
import { CustomTagCompiler, MergeOutput, stringify, walkTemplates } from './liquid.compiler';
import { LinkTokens, urlHash } from './link-tokens';

const LINK = /(<a\b[^>]*?\shref\s*=\s*)(["'])(.*?)\2/gis;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** An attribute value as the browser reads it (merge fields in it were HTML-escaped). */
export function decodeAttribute(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+|#39);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED[name.toLowerCase()] ?? entity;
  });
}

const isHttp = (url: string) => /^https?:\/\//i.test(url.trim());

/**
 * The message's tracked links in order: every http(s) link but the ones left alone (the
 * preference center and unsubscribe links: following them is not a click on the offer, and they
 * must work without our redirect).
 */
export function trackedLinks(html: string, untracked: string[]): string[] {
  const skip = new Set(untracked.filter(Boolean));
  const links: string[] = [];
  for (const match of html.matchAll(LINK)) {
    const url = decodeAttribute(match[3]).trim();
    if (isHttp(url) && !skip.has(url)) links.push(url);
  }
  return links;
}

export interface TrackingOptions {
  publicUrl: string;
  tokens: LinkTokens;
  dealerId: string;
  messageId: string;
  untracked: string[];
}

/** What signing a message's links needs, made once per message. */
export interface LinkTracking {
  publicUrl: string;
  tokens: LinkTokens;
  dealerId: string;
  messageId: string;
  skip: Set<string>;
}

export function linkTracking(options: TrackingOptions): LinkTracking {
  const { publicUrl, tokens, dealerId, messageId } = options;
  return { publicUrl, tokens, dealerId, messageId, skip: new Set(options.untracked.filter(Boolean)) };
}

/**
 * A link's href as sent: a tracked link becomes `/t/c/<token>` (the token names the message and
 * the link's index and URL hash; the redirect looks the URL up in the message, so it can never
 * be made to send anyone elsewhere); anything else is left as it is. `index` counts the tracked
 * links before this one.
 */
function trackedHref(value: string, tracking: LinkTracking, index: () => number): string {
  const url = decodeAttribute(value).trim();
  if (!isHttp(url) || tracking.skip.has(url)) return value;
  const token = tracking.tokens.sign('click', { dealerId: tracking.dealerId, messageId: tracking.messageId, index: index(), urlHash: urlHash(url) });
  return `${tracking.publicUrl}/t/c/${token}`;
}

/** Click tracking on merged HTML: every link's href rewritten (for templates whose links could not be marked at compile time). */
export function trackLinks(html: string, tracking: LinkTracking): string {
  let index = 0;
  return html.replace(LINK, (_whole, start: string, quote: string, value: string) => `${start}${quote}${trackedHref(value, tracking, () => index++)}${quote}`);
}

function openPixel(tracking: LinkTracking): string {
  return `<img src="${tracking.publicUrl}/t/o/${tracking.tokens.sign('open', { dealerId: tracking.dealerId, messageId: tracking.messageId })}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;" />`;
}

/** The open pixel, a 1×1 image `/t/o/<token>` at the end of the body. */
export function addOpenPixel(html: string, tracking: LinkTracking): string {
  const pixel = openPixel(tracking);
  const end = html.lastIndexOf('</body>');
  return end < 0 ? html + pixel : html.slice(0, end) + pixel + html.slice(end);
}

/**
 * Tracking done in the merge instead of on the merged HTML. At compile time each link's href is
 * wrapped in `{% fc_link %}…{% endfc_link %}`, a tag that merges its content and, when the message
 * is tracked (LinkTracking in the context's registers, where templates cannot read it), puts the
 * tracked URL in its place; links are counted in the order they are merged, which is their order
 * in the merged HTML, so the tokens are the ones trackLinks would sign. `{% fc_open_pixel %}`
 * stands where addOpenPixel would put the pixel.
 */
export const TRACKED_LINK_TAG = 'fc_link';
export const OPEN_PIXEL_TAG = 'fc_open_pixel';
export const LINK_TRACKING_REGISTER = 'fcLinkTracking';
const LINK_INDEX_REGISTER = 'fcLinkIndex';

const trackingOf = (ctx: Context) => ctx.getRegister<LinkTracking | undefined>(LINK_TRACKING_REGISTER);

function hrefInMerge(value: string, ctx: Context): string {
  const tracking = trackingOf(ctx);
  if (!tracking) return value;
  return trackedHref(value, tracking, () => {
    const index = ctx.getRegister<number>(LINK_INDEX_REGISTER, 0);
    ctx.setRegister(LINK_INDEX_REGISTER, index + 1);
    return index;
  });
}

function pixelInMerge(ctx: Context): string {
  const tracking = trackingOf(ctx);
  return tracking ? openPixel(tracking) : '';
}

class TrackedLinkTag extends Tag {
  readonly templates: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    const stream = parser
      .parseStream(remainTokens)
      .on(`tag:end${TRACKED_LINK_TAG}`, () => stream.stop())
      .on('template', (template: Template) => this.templates.push(template))
      .on('end', () => {
        throw new Error(`tag ${token.getText()} not closed`);
      });
    stream.start();
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const inner = { buffer: '', write: (html: unknown) => void (inner.buffer += stringify(html)) };
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, inner);
    emitter.write(hrefInMerge(inner.buffer, ctx));
  }

  /** What LiquidJS's static analysis and walkTemplates descend into. */
  children(): Template[] {
    return this.templates;
  }
}

class OpenPixelTag extends Tag {
  render(ctx: Context, emitter: Emitter): void {
    emitter.write(pixelInMerge(ctx));
  }
}

/** The same tags for the closure compiler (liquid.compiler.ts). */
export const TRACKING_TAG_COMPILERS: Record<string, CustomTagCompiler> = {
  [TRACKED_LINK_TAG]: (tag, block) => {
    const content = block((tag as TrackedLinkTag).templates);
    return (ctx, out) => {
      const inner: MergeOutput = { buffer: '' };
      content(ctx, inner);
      out.buffer += hrefInMerge(inner.buffer, ctx);
    };
  },
  [OPEN_PIXEL_TAG]: () => (ctx, out) => {
    out.buffer += pixelInMerge(ctx);
  },
};

/** Registers the tracking tags on an engine that merges compiled email HTML. */
export function registerTrackingTags(liquid: Liquid): void {
  liquid.registerTag(TRACKED_LINK_TAG, TrackedLinkTag);
  liquid.registerTag(OPEN_PIXEL_TAG, OpenPixelTag);
}

export interface MarkedTemplate {
  templates: Template[];
  /** The open pixel is in the merge; otherwise addOpenPixel puts it in after. */
  pixel: boolean;
}

/**
 * The compiled HTML with every link's href wrapped in `{% fc_link %}` and the pixel's tag before
 * the last `</body>`, parsed. Undefined when the merge could not track exactly the links the
 * merged HTML would have: Liquid inside an `<a>` tag before its href, an href that is not a whole
 * Liquid template of its own, `| raw` output (it could bring links of its own), or a link in a
 * raw block, comment or string (the parsed template then has fewer tags than were put in). The
 * pixel's tag goes in only where the last `</body>` follows all Liquid, so nothing merged can come
 * after it.
 */
export function markTracking(html: string, liquid: Liquid): MarkedTemplate | undefined {
  if (/\|\s*raw\b/.test(html)) return undefined;
  let marked = 0;
  let whole = true;
  let source = html.replace(LINK, (_match, start: string, quote: string, value: string) => {
    if (/\{\{|\{%/.test(start)) whole = false;
    try {
      liquid.parse(value);
    } catch {
      whole = false;
    }
    marked++;
    return `${start}${quote}{% ${TRACKED_LINK_TAG} %}${value}{% end${TRACKED_LINK_TAG} %}${quote}`;
  });
  if (!whole) return undefined;
  const end = source.lastIndexOf('</body>');
  const pixel = end >= 0 && end > source.lastIndexOf('%}') && end > source.lastIndexOf('}}');
  if (pixel) source = `${source.slice(0, end)}{% ${OPEN_PIXEL_TAG} %}${source.slice(end)}`;
  let templates: Template[];
  try {
    templates = liquid.parse(source);
  } catch {
    return undefined;
  }
  let links = 0;
  let pixels = 0;
  walkTemplates(templates, (t) => {
    if (t instanceof TrackedLinkTag) links++;
    if (t instanceof OpenPixelTag) pixels++;
  });
  return links === marked && pixels === (pixel ? 1 : 0) ? { templates, pixel } : undefined;
}
