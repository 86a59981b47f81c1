import { Liquid, Template } from 'liquidjs';
import { addOpenPixel, LINK_TRACKING_REGISTER, linkTracking, MarkedTemplate, markTracking, registerTrackingTags, trackedLinks, TRACKING_TAG_COMPILERS, trackLinks } from './email-tracking';
import { textTemplateFromHtml, tidyText } from './html-text';
import { compileLiquid, MergeProgram } from './liquid.compiler';
import { createLiquid } from './liquid.engine';
import { LinkTokens } from './link-tokens';
import { LruCache } from './lru';
import { MjmlCompiler } from './mjml.compiler';
import { MergeData, MessageLinks, RenderedMessage } from './render-data';
import { TemplateContent, TemplateRef, TemplateSource } from './template-source';
import { applyTheme, themeHash, ThemeTokens } from './theme';

/** A template compiled for one theme (and dealer slots), parsed and ready for per-recipient merges. */
export interface CompiledTemplate {
  key: string;
  content: Omit<TemplateContent, 'body'>;
  /** The compiled HTML before any merge (email, letter). */
  html?: string;
  /** The HTML merge (email, letter); with `linksMarked`, it signs the click links itself. */
  htmlMerge?: MergeProgram;
  /** True when the links were marked at compile time (`{% fc_link %}`), so tracking costs no pass over the merged HTML. */
  linksMarked: boolean;
  /** True when the merge puts the open pixel in too (`{% fc_open_pixel %}`). */
  pixelMarked: boolean;
  /** The text alternative (made from the compiled HTML once), or the SMS / text body. */
  textMerge: MergeProgram;
  subjectMerge?: MergeProgram;
}

export class TemplateNotFoundError extends Error {}

/** A Liquid error (syntax, unknown filter, a limit hit) with the template it happened in. */
export class TemplateRenderError extends Error {}

export interface TemplateRendererOptions {
  source: TemplateSource;
  tokens: LinkTokens;
  /** Read at every render: PUBLIC_URL as configured now. */
  publicUrl: () => string;
  compiler?: MjmlCompiler;
  /** Compiled templates kept (least recently used go first); 0 compiles for every message (the benchmark's naive path). */
  cacheSize?: number;
}

export interface RenderInput {
  ref: TemplateRef;
  theme: ThemeTokens;
  data: MergeData;
  links: MessageLinks;
  /** Turns click tracking, the open pixel and the List-Unsubscribe headers on (email only). */
  messageId?: string;
  /** `false` keeps them off even with a messageId (RenderRequest.tracking). */
  tracking?: boolean;
}

/**
 * The render pipeline without the database: MJML compiled once per (template version, theme,
 * dealer slots) and cached with everything else a message needs that does not depend on the
 * recipient: the parsed Liquid turned into closures (liquid.compiler.ts), the text alternative
 * made from the compiled HTML, the links marked for tracking. Per recipient only the merges (HTML,
 * text, subject), the signed tokens and the headers.
 */
export class TemplateRenderer {
  readonly compiler: MjmlCompiler;
  private readonly html: Liquid = createLiquid('html');
  private readonly plain: Liquid = createLiquid('text');
  private readonly cache: LruCache<string, Promise<CompiledTemplate>>;

  constructor(private readonly options: TemplateRendererOptions) {
    this.compiler = options.compiler ?? new MjmlCompiler();
    this.cache = new LruCache(options.cacheSize ?? 300);
    registerTrackingTags(this.html);
  }

  async render(input: RenderInput): Promise<RenderedMessage> {
    const compiled = await this.compiled(input.ref, input.theme);
    const { messageId, links } = input;
    const tracking =
      compiled.htmlMerge && input.ref.channel === 'email' && messageId && input.tracking !== false
        ? linkTracking({ publicUrl: this.options.publicUrl(), tokens: this.options.tokens, dealerId: input.ref.dealerId ?? '', messageId, untracked: untrackedOf(input.data, links) })
        : undefined;
    const out: RenderedMessage = { text: tidyText(this.run(compiled, compiled.textMerge, input.data)) };
    if (compiled.subjectMerge) out.subject = oneLine(this.run(compiled, compiled.subjectMerge, input.data));
    if (!compiled.htmlMerge) return out;
    let html = this.run(compiled, compiled.htmlMerge, input.data, tracking && compiled.linksMarked ? { [LINK_TRACKING_REGISTER]: tracking } : undefined);
    if (!tracking) return { ...out, html };
    if (!compiled.linksMarked) html = trackLinks(html, tracking);
    out.html = compiled.pixelMarked ? html : addOpenPixel(html, tracking);
    if (links.oneClick) out.headers = { 'List-Unsubscribe': `<${links.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    return out;
  }

  /** The tracked links of a message as the recipient got them, in order (what /t/c/<token> may redirect to). */
  async links(input: RenderInput): Promise<string[]> {
    const compiled = await this.compiled(input.ref, input.theme);
    if (!compiled.htmlMerge) return [];
    return trackedLinks(this.run(compiled, compiled.htmlMerge, input.data), untrackedOf(input.data, input.links));
  }

  /** The compiled template, from the cache or compiled now (concurrent callers share one compile). */
  async compiled(ref: TemplateRef, theme: ThemeTokens): Promise<CompiledTemplate> {
    const content = await this.options.source.load(ref);
    if (!content) throw new TemplateNotFoundError(`no template "${ref.template}" for the ${ref.channel} channel`);
    const key = [content.template, content.version, content.channel, content.locale, themeHash(theme, content.slots)].join('|');
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = this.compile(key, content, theme);
      this.cache.set(key, compiled);
      compiled.catch(() => this.cache.delete(key));
    }
    return compiled;
  }

  private async compile(key: string, content: TemplateContent, theme: ThemeTokens): Promise<CompiledTemplate> {
    const { body, ...meta } = content;
    const where = `${content.template} (${content.channel}.${content.locale})`;
    const themed = applyTheme(content.format, body, theme, content.slots);
    let html: string | undefined;
    try {
      if (content.format === 'mjml') html = await this.compiler.compile(themed);
      else if (content.format === 'html') html = themed;
    } catch (error) {
      throw new TemplateRenderError(`${where}: ${(error as Error).message}`);
    }
    const parse = (engine: Liquid, source: string, part: string): Template[] => {
      try {
        return engine.parse(source);
      } catch (error) {
        throw new TemplateRenderError(`${where}, ${part}: ${(error as Error).message}`);
      }
    };
    const program = (engine: Liquid, templates: Template[]) => compileLiquid(engine, templates, engine === this.html ? TRACKING_TAG_COMPILERS : {});
    let htmlMerge: MergeProgram | undefined;
    let marked: MarkedTemplate | undefined;
    if (html !== undefined) {
      const parsed = parse(this.html, html, 'body');
      // Only email is tracked; a letter's HTML is merged as it is.
      marked = content.channel === 'email' ? markTracking(html, this.html) : undefined;
      htmlMerge = program(this.html, marked?.templates ?? parsed);
    }
    const text = html === undefined ? themed : textTemplateFromHtml(html);
    return {
      key,
      content: meta,
      html,
      htmlMerge,
      linksMarked: marked !== undefined,
      pixelMarked: marked?.pixel ?? false,
      textMerge: program(this.plain, parse(this.plain, text, html === undefined ? 'body' : 'text alternative')),
      subjectMerge: content.subject === undefined ? undefined : program(this.plain, parse(this.plain, content.subject, 'subject')),
    };
  }

  private run(compiled: CompiledTemplate, merge: MergeProgram, data: MergeData, registers?: Record<string, unknown>): string {
    try {
      return merge.render(data, registers);
    } catch (error) {
      throw new TemplateRenderError(`${compiled.content.template} (${compiled.content.channel}.${compiled.content.locale}): ${(error as Error).message}`);
    }
  }
}

function untrackedOf(data: MergeData, links: MessageLinks): string[] {
  const given = (data.links ?? {}) as Record<string, unknown>;
  return [links.preferences, links.unsubscribe, given.preferences, given.unsubscribe].filter((l): l is string => typeof l === 'string');
}

/** A subject is one line: a header with a line break in it would be two headers. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
