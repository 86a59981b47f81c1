import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';

export interface AuditEntry {
  action: string;
  entityType?: string;
  entityId?: string;
  dealerId?: string;
  details?: Record<string, unknown>;
}

export type Actor = Pick<Principal, 'kind' | 'id' | 'label'> | { kind: 'system'; id?: string; label: string };

/** Writes to audit_log, which the application role may only insert into and read. */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(actor: Actor, entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_type, actor_id, actor_label, action, entity_type, entity_id, dealer_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        actor.kind,
        actor.id ?? null,
        actor.label,
        entry.action,
        entry.entityType ?? null,
        entry.entityId ?? null,
        entry.dealerId ?? null,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  async list(filter: { dealerId?: string; limit: number; offset: number }) {
    const params: unknown[] = [filter.limit, filter.offset];
    const where = filter.dealerId ? `WHERE dealer_id = $3` : '';
    if (filter.dealerId) params.push(filter.dealerId);
    const rows = await this.dataSource.query(
      `SELECT id, at, actor_type AS "actorType", actor_id AS "actorId", actor_label AS "actorLabel", action,
              entity_type AS "entityType", entity_id AS "entityId", dealer_id AS "dealerId", details,
              count(*) OVER () AS total
         FROM audit_log ${where} ORDER BY id DESC LIMIT $1 OFFSET $2`,
      params,
    );
    const total = Number(rows[0]?.total ?? 0);
    return { rows: rows.map(({ total: _total, ...row }: Record<string, unknown>) => ({ ...row, id: String(row.id) })), total };
  }
}
