import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TenantDb } from '../database/tenant-db.service';
import { cachedFor, LruCache, TimedEntry } from '../rendering/lru';
import { localeCandidates, TemplateContent, TemplateFormat, TemplateRef, TemplateSource, TemplateSummary } from '../rendering/template-source';
import { fillSlots, SlotDefinition, textSlotHtml } from './markup';
import { TemplateImporter } from './template-importer';

/** How long another process may keep serving a version after a publish here (this process forgets at once). */
const TTL_MS = 5_000;

interface Published {
  id: string;
  locale: string;
  format: TemplateFormat;
  version: number;
  body: string;
  subject: string | null;
  slots: SlotDefinition[];
}

type Entry<T> = TimedEntry<T>;

/**
 * The templates dispatch renders: each master's published version, with the dealer's slot values
 * in place. Dispatch asks for every message, so answers are kept for a few seconds per
 * (template, channel, locale, dealer); a publish or a slot change in this process drops them at once.
 */
@Injectable()
export class DbTemplateSource implements TemplateSource, OnModuleInit {
  private readonly published = new LruCache<string, Entry<Published[]>>(2_000);
  private readonly contents = new LruCache<string, Entry<TemplateContent | undefined>>(20_000);
  private readonly slotValues = new LruCache<string, Entry<Record<string, string>>>(20_000);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantDb,
  ) {}

  /** The shipped masters are in the database before anything renders. */
  async onModuleInit(): Promise<void> {
    await new TemplateImporter(this.dataSource).run();
  }

  /** Forget what was read: after a publish, a rollback or a dealer's slot change. */
  invalidate(): void {
    this.published.clear();
    this.contents.clear();
    this.slotValues.clear();
  }

  load(ref: TemplateRef): Promise<TemplateContent | undefined> {
    const key = `${ref.template}\0${ref.channel}\0${ref.locale}\0${ref.dealerId ?? ''}`;
    return cached(this.contents, key, () => this.read(ref));
  }

  private async read(ref: TemplateRef): Promise<TemplateContent | undefined> {
    const candidates = await this.publishedOf(ref.template, ref.channel);
    const locale = localeCandidates(ref.locale, candidates.map((c) => c.locale))[0];
    const chosen = candidates.find((c) => c.locale === locale);
    if (!chosen) return undefined;
    const values = ref.dealerId ? await this.valuesFor(ref.dealerId, chosen) : {};
    return {
      template: ref.template,
      channel: ref.channel,
      locale: chosen.locale,
      version: `${chosen.id}.${chosen.version}`,
      format: chosen.format,
      body: fillSlots(chosen.format, chosen.body, values),
      subject: chosen.subject ?? undefined,
      slots: values,
    };
  }

  private publishedOf(template: string, channel: string): Promise<Published[]> {
    const [service, step] = template.split('/');
    return cached(this.published, `${template}\0${channel}`, async () => {
      const rows = await this.dataSource.query(
        `SELECT t.id, t.locale, t.format, v.version, v.body, v.subject, v.slots
           FROM templates t JOIN template_versions v ON v.template_id = t.id AND v.version = t.published_version
          WHERE t.service = $1 AND t.step = $2 AND t.channel = $3`,
        [service, step ?? '', channel],
      );
      return rows as Published[];
    });
  }

  /** The dealer's values for the slots this version opens, as markup ready to put in. */
  private async valuesFor(dealerId: string, template: Published): Promise<Record<string, string>> {
    if (!template.slots.length) return {};
    const stored = await cached(this.slotValues, `${dealerId}\0${template.id}`, () =>
      this.tenants.run(dealerId, async (m) => {
        const [row] = await m.query('SELECT "values" FROM dealer_template_slots WHERE dealer_id = $1 AND template_id = $2', [dealerId, template.id]);
        return (row?.values ?? {}) as Record<string, string>;
      }),
    );
    return slotMarkup(template.slots, stored);
  }

  async list(): Promise<TemplateSummary[]> {
    const rows: { service: string; step: string; name: string; description: string | null; channel: string; locale: string; id: string; published_version: number }[] = await this.dataSource.query(
      'SELECT service, step, name, description, channel, locale, id, published_version FROM templates WHERE published_version IS NOT NULL ORDER BY service, step, channel, locale',
    );
    const out = new Map<string, TemplateSummary>();
    for (const r of rows) {
      const template = `${r.service}/${r.step}`;
      let summary = out.get(template);
      if (!summary) out.set(template, (summary = { template, version: '', name: r.name, description: r.description ?? undefined, channels: {} }));
      (summary.channels[r.channel] ??= []).push(r.locale);
      summary.version += `${r.id.slice(0, 8)}.${r.published_version};`;
    }
    return [...out.values()];
  }
}

/** Stored slot values turned into what goes in the template: text escaped, rich text and images as saved (they were sanitised then). */
export function slotMarkup(definitions: SlotDefinition[], stored: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of definitions) {
    const value = stored[d.name];
    if (typeof value !== 'string' || value === '') continue;
    out[d.name] = d.kind === 'text' ? textSlotHtml(value) : value;
  }
  return out;
}

function cached<T>(cache: LruCache<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
  return cachedFor(cache, key, TTL_MS, load);
}
