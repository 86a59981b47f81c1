import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Principal } from '../auth/principal';
import { fieldError } from '../common/problem';
import { pageOf } from '../common/pagination';
import { MjmlCompiler } from '../rendering/mjml.compiler';
import type { TemplateFormat } from '../rendering/template-source';
import { DbTemplateSource } from './db-template.source';
import { SlotDefinition } from './markup';
import { checkTemplate } from './template-check';
import { CreateTemplateDto, RollbackDto, SaveTemplateDto, TemplateListQuery } from './template.dto';
import { CHANNEL_FORMATS, templateKey } from './template-formats';

export interface TemplateRow {
  id: string;
  service: string;
  step: string;
  channel: string;
  locale: string;
  format: TemplateFormat;
  name: string;
  description: string | null;
  draft_body: string;
  draft_subject: string | null;
  draft_slots: SlotDefinition[];
  draft_updated_at: Date;
  draft_updated_by: string;
  published_version: number | null;
  edited: boolean;
  created_at: Date;
  /** Joined: the published version's content. */
  p_body: string | null;
  p_subject: string | null;
  p_slots: SlotDefinition[] | null;
  p_at: Date | null;
}

const SELECT = `
  SELECT t.*, v.body AS p_body, v.subject AS p_subject, v.slots AS p_slots, v.published_at AS p_at
    FROM templates t LEFT JOIN template_versions v ON v.template_id = t.id AND v.version = t.published_version`;

/**
 * The master templates: drafts brand admins save, immutable versions they publish, rollback as a
 * new version restoring an old one. Dealers read the published version only.
 */
@Injectable()
export class TemplatesService {
  readonly compiler = new MjmlCompiler();

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
    private readonly source: DbTemplateSource,
  ) {}

  async list(principal: Principal, query: TemplateListQuery) {
    this.access.assert(principal, 'read', 'Template');
    const editor = this.isEditor(principal);
    const where: string[] = editor ? [] : ['t.published_version IS NOT NULL'];
    const params: unknown[] = [];
    for (const column of ['service', 'channel', 'locale'] as const) {
      if (query[column]) where.push(`t.${column} = $${params.push(query[column])}`);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM templates t ${filter}`, params);
    const rows: TemplateRow[] = await this.dataSource.query(
      `${SELECT} ${filter} ORDER BY t.service, t.step, t.channel, t.locale LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    return pageOf(rows.map((r) => this.summary(r, editor)), total, query);
  }

  async get(principal: Principal, id: string) {
    const row = await this.readable(principal, id);
    const editor = this.isEditor(principal);
    return {
      ...this.summary(row, editor),
      ...(editor ? { draft: { body: row.draft_body, subject: row.draft_subject, slots: row.draft_slots, updatedAt: row.draft_updated_at, updatedBy: row.draft_updated_by } } : {}),
      published: this.published(row),
    };
  }

  async create(principal: Principal, dto: CreateTemplateDto) {
    this.access.assert(principal, 'create', 'Template');
    const format = CHANNEL_FORMATS[dto.channel];
    const checked = await checkTemplate(format, dto, this.compiler);
    const taken = await this.dataSource.query('SELECT id FROM templates WHERE service = $1 AND step = $2 AND channel = $3 AND locale = $4', [dto.service, dto.step, dto.channel, dto.locale]);
    if (taken.length) throw new ConflictException(`a ${dto.channel} template for ${templateKey(dto.service, dto.step)} in "${dto.locale}" exists already (id ${taken[0].id})`);
    const [{ id }] = await this.dataSource.query(
      `INSERT INTO templates (service, step, channel, locale, format, name, description, draft_body, draft_subject, draft_slots, draft_updated_by, edited)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true) RETURNING id`,
      [dto.service, dto.step, dto.channel, dto.locale, format, dto.name ?? templateKey(dto.service, dto.step), dto.description ?? null, checked.body, checked.subject, JSON.stringify(checked.slots), principal.label],
    );
    return { ...(await this.get(principal, id)), sanitised: checked.removed };
  }

  /** Saves the draft; dealers keep getting the published version until the next publish. */
  async save(principal: Principal, id: string, dto: SaveTemplateDto) {
    const row = await this.editable(principal, id);
    const checked = await checkTemplate(row.format, dto, this.compiler);
    await this.dataSource.query(
      `UPDATE templates SET draft_body = $2, draft_subject = $3, draft_slots = $4, draft_updated_at = now(), draft_updated_by = $5, edited = true WHERE id = $1`,
      [id, checked.body, checked.subject, JSON.stringify(checked.slots), principal.label],
    );
    return { ...(await this.get(principal, id)), sanitised: checked.removed };
  }

  /** The draft as the next immutable version; every dealer's messages use it from now on. Publishing an unchanged draft answers the current version. */
  async publish(principal: Principal, id: string) {
    await this.editable(principal, id);
    const version = await this.dataSource.transaction(async (m) => {
      const [row]: TemplateRow[] = await m.query(`${SELECT} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
      const unchanged = row.published_version !== null && row.p_body === row.draft_body && row.p_subject === row.draft_subject && JSON.stringify(row.p_slots) === JSON.stringify(row.draft_slots);
      if (unchanged) return row.published_version!;
      return this.addVersion(m, row, { body: row.draft_body, subject: row.draft_subject, slots: row.draft_slots }, principal.label, null);
    });
    this.source.invalidate();
    return this.versionView(id, version);
  }

  async versions(principal: Principal, id: string) {
    await this.editable(principal, id);
    const rows = await this.dataSource.query(
      'SELECT version, published_at, published_by, restored_from FROM template_versions WHERE template_id = $1 ORDER BY version DESC',
      [id],
    );
    return { items: rows.map((r: Record<string, unknown>) => ({ version: r.version, publishedAt: r.published_at, publishedBy: r.published_by, ...(r.restored_from ? { restoredFrom: r.restored_from } : {}) })) };
  }

  async version(principal: Principal, id: string, version: number) {
    await this.editable(principal, id);
    return this.versionView(id, version, true);
  }

  /** Restores an old version as a new one (history stays whole), and makes it the draft too. */
  async rollback(principal: Principal, id: string, dto: RollbackDto) {
    await this.editable(principal, id);
    const version = await this.dataSource.transaction(async (m) => {
      const [row]: TemplateRow[] = await m.query(`${SELECT} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
      const [old] = await m.query('SELECT body, subject, slots FROM template_versions WHERE template_id = $1 AND version = $2', [id, dto.version]);
      if (!old) throw fieldError('version', `template ${id} has no version ${dto.version}`);
      const added = await this.addVersion(m, row, old, principal.label, dto.version);
      await m.query('UPDATE templates SET draft_body = $2, draft_subject = $3, draft_slots = $4, draft_updated_at = now(), draft_updated_by = $5 WHERE id = $1', [
        id,
        old.body,
        old.subject,
        JSON.stringify(old.slots),
        principal.label,
      ]);
      return added;
    });
    this.source.invalidate();
    return this.versionView(id, version);
  }

  /** The template row if the principal may read it (dealers: published ones only). */
  async readable(principal: Principal, id: string): Promise<TemplateRow> {
    this.access.assert(principal, 'read', 'Template');
    const [row]: TemplateRow[] = await this.dataSource.query(`${SELECT} WHERE t.id = $1`, [id]);
    if (!row || (!this.isEditor(principal) && row.published_version === null)) throw new NotFoundException('template not found');
    return row;
  }

  private async editable(principal: Principal, id: string): Promise<TemplateRow> {
    const row = await this.readable(principal, id);
    this.access.assert(principal, 'update', 'Template');
    return row;
  }

  isEditor(principal: Principal): boolean {
    return this.access.can(principal, 'update', 'Template');
  }

  private async addVersion(m: EntityManager, row: TemplateRow, content: { body: string; subject: string | null; slots: SlotDefinition[] }, by: string, restoredFrom: number | null): Promise<number> {
    const [{ next }] = await m.query('SELECT coalesce(max(version), 0) + 1 AS next FROM template_versions WHERE template_id = $1', [row.id]);
    await m.query('INSERT INTO template_versions (template_id, version, body, subject, slots, published_by, restored_from) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      row.id,
      next,
      content.body,
      content.subject,
      JSON.stringify(content.slots),
      by,
      restoredFrom,
    ]);
    await m.query('UPDATE templates SET published_version = $2, edited = true WHERE id = $1', [row.id, next]);
    return next;
  }

  private async versionView(id: string, version: number, withContent = false) {
    const [v] = await this.dataSource.query('SELECT * FROM template_versions WHERE template_id = $1 AND version = $2', [id, version]);
    if (!v) throw new NotFoundException(`template ${id} has no version ${version}`);
    return {
      templateId: id,
      version: v.version,
      publishedAt: v.published_at,
      publishedBy: v.published_by,
      ...(v.restored_from ? { restoredFrom: v.restored_from } : {}),
      ...(withContent ? { body: v.body, subject: v.subject, slots: v.slots } : {}),
    };
  }

  private summary(row: TemplateRow, editor: boolean) {
    const slots = editor ? row.draft_slots : (row.p_slots ?? []);
    return {
      id: row.id,
      key: templateKey(row.service, row.step),
      service: row.service,
      step: row.step,
      channel: row.channel,
      locale: row.locale,
      format: row.format,
      name: row.name,
      description: row.description,
      publishedVersion: row.published_version,
      ...(editor
        ? { hasUnpublishedChanges: row.published_version === null || row.p_body !== row.draft_body || row.p_subject !== row.draft_subject || JSON.stringify(row.p_slots) !== JSON.stringify(row.draft_slots), edited: row.edited }
        : {}),
      updatedAt: editor ? row.draft_updated_at : row.p_at,
      slots,
    };
  }

  private published(row: TemplateRow) {
    if (row.published_version === null) return null;
    return { version: row.published_version, body: row.p_body, subject: row.p_subject, slots: row.p_slots, publishedAt: row.p_at };
  }
}
