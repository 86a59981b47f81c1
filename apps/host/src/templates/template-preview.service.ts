import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Principal } from '../auth/principal';
import { fieldError, ValidationProblem } from '../common/problem';
import { isUuid } from '../common/id.pipe';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { LinkTokens } from '../rendering/link-tokens';
import { MjmlCompileError } from '../rendering/mjml.compiler';
import { NetworkDirectory } from '../rendering/network-directory';
import { mergeData, messageLinks, RenderDealer } from '../rendering/render-data';
import { TemplateRenderer, TemplateRenderError } from '../rendering/template-renderer';
import { TemplateContent, TemplateRef, TemplateSource, TemplateSummary } from '../rendering/template-source';
import { themeTokens } from '../rendering/theme';
import { checkSlotValues, DealerSlotsService } from './dealer-slots.service';
import { slotMarkup } from './db-template.source';
import { letterPreviewPage } from './letter-page';
import { fillSlots, sanitiseMarkup, sanitiseRichText, SlotDefinition } from './markup';
import { PREVIEW_SAMPLES, sampleDealer } from './preview-samples';
import { PreviewDto } from './template.dto';
import { templateKey } from './template-formats';
import { TemplateRow, TemplatesService } from './templates.service';

/** Hands the renderer the one template a preview asks for (drafts and unsaved markup are not in the database source). */
class PreviewSource implements TemplateSource {
  readonly pending = new Map<string, TemplateContent>();

  async load(ref: TemplateRef): Promise<TemplateContent | undefined> {
    return this.pending.get(ref.template);
  }

  async list(): Promise<TemplateSummary[]> {
    return [];
  }
}

export interface PreviewResult {
  templateId: string;
  locale: string;
  subject?: string;
  html?: string;
  text: string;
  /** Letters: the letter on an A4 sheet with the address in the envelope window. */
  page?: string;
}

/**
 * The studio's live preview: a master (its draft, its published version, or markup not saved
 * yet) rendered through the same pipeline as messages, in a brand's theme, for a sample customer
 * or given data, with a dealer's details and slot values when one is named. Compiled previews
 * are cached by content, so switching brands and samples is quick.
 */
@Injectable()
export class TemplatePreviewService {
  private readonly source = new PreviewSource();
  private readonly renderer: TemplateRenderer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
    private readonly templates: TemplatesService,
    private readonly slots: DealerSlotsService,
    private readonly directory: NetworkDirectory,
    private readonly tokens: LinkTokens,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {
    this.renderer = new TemplateRenderer({ source: this.source, tokens, publicUrl: () => this.config.publicUrl, compiler: templates.compiler, cacheSize: 100 });
  }

  samples() {
    return { items: PREVIEW_SAMPLES.map(({ key, label, locale, fleet }) => ({ key, label, locale, fleet })) };
  }

  async preview(principal: Principal, templateId: string, dto: PreviewDto): Promise<PreviewResult> {
    let row = await this.templates.readable(principal, templateId);
    const editor = this.templates.isEditor(principal);
    const sample = dto.sample === undefined ? PREVIEW_SAMPLES.find((s) => s.locale === row.locale && !s.fleet) ?? PREVIEW_SAMPLES[0] : PREVIEW_SAMPLES.find((s) => s.key === dto.sample);
    if (!sample) throw fieldError('sample', `unknown sample "${dto.sample}"; GET /api/templates/samples lists them`);
    // A sample in another language shows that language's master, unless unsaved markup is previewed.
    if (dto.body === undefined && sample.locale !== row.locale) row = (await this.sibling(principal, row, sample.locale)) ?? row;

    const dealerId = dto.dealerId ?? (editor ? undefined : principal.dealerId);
    const dealer = dealerId ? await this.dealerFor(principal, dealerId) : sampleDealer(row.locale);
    const brand = await this.brandFor(principal, dto.brandId, dealerId);

    if (dto.body !== undefined && !editor) throw fieldError('body', 'only brand and network admins preview unsaved templates');
    const useDraft = editor && dto.draft !== false;
    let body: string;
    let subject: string | null;
    let definitions: SlotDefinition[];
    if (dto.body !== undefined) {
      body = sanitiseMarkup(row.format, dto.body).body;
      subject = dto.subject ?? row.draft_subject;
      definitions = row.draft_slots;
    } else if (useDraft) {
      [body, subject, definitions] = [row.draft_body, dto.subject ?? row.draft_subject, row.draft_slots];
    } else {
      if (row.p_body === null) throw new NotFoundException('template not found: it has not been published');
      [body, subject, definitions] = [row.p_body, row.p_subject, row.p_slots ?? []];
    }

    const saved = dealerId ? await this.slots.stored(dealerId, row.id) : {};
    const given = dto.slots ? checkSlotValues(definitions, dto.slots) : {};
    const values: Record<string, string> = { ...saved };
    for (const [name, value] of Object.entries(given)) {
      if (value === null) delete values[name];
      else values[name] = value;
    }
    const filled = slotMarkup(definitions, values);
    const key = randomUUID();
    this.source.pending.set(key, {
      template: templateKey(row.service, row.step),
      channel: row.channel,
      locale: row.locale,
      version: createHash('sha256').update(JSON.stringify([row.id, body, subject, filled])).digest('hex').slice(0, 16),
      format: row.format,
      body: fillSlots(row.format, body, filled),
      subject: subject ?? undefined,
      slots: filled,
    });
    try {
      const theme = themeTokens(dto.theme ? { ...brand, theme: { ...brand.theme, ...dto.theme, footerHtml: dto.theme.footerHtml === undefined ? brand.theme?.footerHtml : sanitiseRichText(dto.theme.footerHtml) } } : brand);
      const names = new Map(((await this.dataSource.query('SELECT id, name FROM brands')) as { id: string; name: string }[]).map((b) => [b.id, b.name]));
      const links = messageLinks(this.config.publicUrl, this.tokens, dealer.id, undefined);
      const data = mergeData({ locale: row.locale, data: dto.data ?? sample.data(brand.id, new Date()) }, dealer, { id: brand.id, name: brand.name, logoUrl: theme.logoUrl }, names, links);
      const rendered = await this.renderer.render({ ref: { template: key, channel: row.channel, locale: row.locale, brandId: brand.id, dealerId: dealer.id }, theme, data, links });
      const page =
        row.channel === 'letter' && rendered.html !== undefined
          ? letterPreviewPage(rendered.html, rendered.subject, sample.address, new Intl.DateTimeFormat(row.locale, { dateStyle: 'long' }).format(new Date()))
          : undefined;
      return { templateId: row.id, locale: row.locale, subject: rendered.subject, html: rendered.html, text: rendered.text, ...(page ? { page } : {}) };
    } catch (error) {
      if (error instanceof MjmlCompileError) throw new ValidationProblem(error.problems.map((p) => ({ field: 'body', ...p })));
      if (error instanceof TemplateRenderError) throw new ValidationProblem([{ field: 'body', message: error.message }]);
      throw error;
    } finally {
      this.source.pending.delete(key);
    }
  }

  private async sibling(principal: Principal, row: TemplateRow, locale: string): Promise<TemplateRow | undefined> {
    const [other] = await this.dataSource.query('SELECT id FROM templates WHERE service = $1 AND step = $2 AND channel = $3 AND locale = $4', [row.service, row.step, row.channel, locale]);
    return other ? this.templates.readable(principal, other.id).catch(() => undefined) : undefined;
  }

  /** A dealer previews with itself; a brand admin with a dealer of its brands; a network admin with any. */
  private async dealerFor(principal: Principal, dealerId: string): Promise<RenderDealer> {
    if (!isUuid(dealerId)) throw fieldError('dealerId', 'no such dealer');
    const [row] = await this.dataSource.query('SELECT array_agg(brand_id) AS brand_ids FROM dealer_brands WHERE dealer_id = $1', [dealerId]);
    const brandIds: string[] = row?.brand_ids ?? [];
    if (!this.access.can(principal, 'read', 'Dealer', { id: dealerId, brandIds })) throw fieldError('dealerId', 'no such dealer');
    const dealer = await this.directory.dealer(dealerId);
    if (!dealer) throw fieldError('dealerId', 'no such dealer');
    return dealer;
  }

  /** Any brand's theme for the brand and network side; a dealer's own brands for a dealer. */
  private async brandFor(principal: Principal, brandId: string, dealerId: string | undefined) {
    if (!isUuid(brandId)) throw fieldError('brandId', 'no such brand');
    const [brand] = await this.dataSource.query('SELECT id, name, theme FROM brands WHERE id = $1', [brandId]);
    if (!brand) throw fieldError('brandId', 'no such brand');
    if (!this.templates.isEditor(principal) && dealerId) {
      const [sells] = await this.dataSource.query('SELECT 1 FROM dealer_brands WHERE dealer_id = $1 AND brand_id = $2', [dealerId, brandId]);
      if (!sells) throw fieldError('brandId', 'the dealer does not sell this brand');
    }
    return brand as { id: string; name: string; theme: Record<string, unknown> | null };
  }
}
