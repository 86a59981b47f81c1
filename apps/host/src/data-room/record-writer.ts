import { EntityManager } from 'typeorm';

/** One row on its way into a data room; `line` is its line in an import file (or 0 for an API call). */
export interface PendingRow<T> {
  line: number;
  externalId: string;
  data: T;
}

export interface RowError {
  line: number;
  field: string;
  message: string;
}

export interface WrittenRow {
  line: number;
  externalId: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface WriteResult {
  written: WrittenRow[];
  errors: RowError[];
}

/**
 * Writes a batch of validated rows of one record type inside a dealer's transaction. The API's
 * single upserts and the streamed imports share these, so both apply the same rules.
 */
export type RecordWriter<T> = (manager: EntityManager, dealerId: string, rows: PendingRow<T>[]) => Promise<WriteResult>;

/** Maps external ids to ids within the dealer's data room (row-level security scopes the lookup). */
export async function idsByExternalId(manager: EntityManager, table: 'customers' | 'vehicles' | 'appointments', externalIds: string[]) {
  const extra = table === 'vehicles' ? ', customer_id' : '';
  const rows: { id: string; external_id: string; customer_id?: string }[] = externalIds.length
    ? await manager.query(`SELECT id, external_id${extra} FROM ${table} WHERE external_id = ANY($1::text[])`, [
        [...new Set(externalIds)],
      ])
    : [];
  return new Map(rows.map((r) => [r.external_id, r]));
}

/** Splits RETURNING rows of an upsert (with `inserted`) from rows the upsert left alone. */
export function outcomes<T>(
  rows: PendingRow<T>[],
  returned: { id: string; external_id: string; inserted: boolean }[],
  existing: Map<string, { id: string }>,
): WrittenRow[] {
  const byKey = new Map(returned.map((r) => [r.external_id, r]));
  return rows.map((row) => {
    const hit = byKey.get(row.externalId);
    if (hit) return { line: row.line, externalId: row.externalId, id: hit.id, outcome: hit.inserted ? 'created' : 'updated' };
    return { line: row.line, externalId: row.externalId, id: existing.get(row.externalId)!.id, outcome: 'unchanged' };
  });
}
