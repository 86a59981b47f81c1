import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FileTemplateSource, PARTIALS_FOLDER, TemplateFileError } from '../rendering/file-template.source';
import { markedSlots, SLOT_KINDS, SlotDefinition } from './markup';

/** One import at a time across processes starting together. */
const IMPORT_LOCK = 74203;

export interface ImportSummary {
  created: number;
  updated: number;
  /** Shipped templates that changed but whose master a person has edited: kept as the brand made them. */
  keptEdited: number;
}

/**
 * Brings the shipped masters (templates/, partials pasted in) into the database at first boot and
 * after an upgrade. A master nobody has edited follows the shipped file: a changed file becomes
 * its next published version. A master a person saved or published is left alone, so an upgrade
 * never overwrites a brand's own edits.
 */
export class TemplateImporter {
  private readonly logger = new Logger('TemplateImporter');

  constructor(
    private readonly dataSource: DataSource,
    private readonly files = new FileTemplateSource(),
  ) {}

  async run(): Promise<ImportSummary> {
    const shipped = await this.shipped();
    const summary: ImportSummary = { created: 0, updated: 0, keptEdited: 0 };
    await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
      const rows: { id: string; service: string; step: string; channel: string; locale: string; edited: boolean; shipped_hash: string | null; published_version: number | null }[] =
        await m.query('SELECT id, service, step, channel, locale, edited, shipped_hash, published_version FROM templates');
      const existing = new Map(rows.map((r) => [`${r.service}/${r.step}|${r.channel}|${r.locale}`, r]));
      for (const t of shipped) {
        const row = existing.get(`${t.service}/${t.step}|${t.channel}|${t.locale}`);
        if (row?.shipped_hash === t.hash) continue;
        if (row?.edited) {
          summary.keptEdited++;
          continue;
        }
        const slots = JSON.stringify(t.slots);
        let id = row?.id;
        if (!id) {
          [{ id }] = await m.query(
            `INSERT INTO templates (service, step, channel, locale, format, name, description, draft_body, draft_subject, draft_slots, draft_updated_by, shipped_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'shipped', $11) RETURNING id`,
            [t.service, t.step, t.channel, t.locale, t.format, t.name, t.description, t.body, t.subject, slots, t.hash],
          );
          summary.created++;
        } else {
          await m.query(
            `UPDATE templates SET name = $2, description = $3, draft_body = $4, draft_subject = $5, draft_slots = $6, draft_updated_at = now(), draft_updated_by = 'shipped', shipped_hash = $7 WHERE id = $1`,
            [id, t.name, t.description, t.body, t.subject, slots, t.hash],
          );
          summary.updated++;
        }
        const version = (row?.published_version ?? 0) + 1;
        await m.query(`INSERT INTO template_versions (template_id, version, body, subject, slots, published_by) VALUES ($1, $2, $3, $4, $5, 'shipped')`, [id, version, t.body, t.subject, slots]);
        await m.query('UPDATE templates SET published_version = $2 WHERE id = $1', [id, version]);
      }
    });
    if (summary.created || summary.updated || summary.keptEdited) {
      this.logger.log(`shipped templates: ${summary.created} new, ${summary.updated} updated, ${summary.keptEdited} changed upstream but kept as edited`);
    }
    return summary;
  }

  private async shipped() {
    const definitions = this.slotDefinitions();
    const out = [];
    for (const summary of await this.files.list()) {
      const [service, step] = summary.template.split('/');
      for (const [channel, locales] of Object.entries(summary.channels)) {
        for (const locale of locales) {
          const content = await this.files.load({ template: summary.template, channel, locale });
          if (!content || content.locale !== locale) continue;
          const slots = markedSlots(content.format, content.body)
            .map((name) => definitions[name])
            .filter((d): d is SlotDefinition => !!d);
          const name = summary.name ?? summary.template;
          const description = summary.description ?? null;
          const subject = content.subject ?? null;
          const hash = createHash('sha256').update(JSON.stringify([content.body, subject, slots, name, description])).digest('hex').slice(0, 32);
          out.push({ service, step, channel, locale, format: content.format, name, description, body: content.body, subject, slots, hash });
        }
      }
    }
    return out;
  }

  /** `_partials/slots.json`: what the shipped masters open to dealers (the elements are marked in the partials). */
  private slotDefinitions(): Record<string, SlotDefinition> {
    const file = join(this.files.root, PARTIALS_FOLDER, 'slots.json');
    if (!existsSync(file)) return {};
    let parsed: Record<string, Omit<SlotDefinition, 'name'>>;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TemplateFileError(`${PARTIALS_FOLDER}/slots.json is not valid JSON: ${(error as Error).message}`);
    }
    const out: Record<string, SlotDefinition> = {};
    for (const [name, d] of Object.entries(parsed)) {
      if (!SLOT_KINDS.includes(d.kind)) throw new TemplateFileError(`${PARTIALS_FOLDER}/slots.json: slot "${name}" has kind "${d.kind}", not one of ${SLOT_KINDS.join(', ')}`);
      out[name] = { name, kind: d.kind, ...(d.maxLength ? { maxLength: d.maxLength } : {}), ...(d.label ? { label: d.label } : {}) };
    }
    return out;
  }
}
