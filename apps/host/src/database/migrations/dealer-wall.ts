import { QueryRunner } from 'typeorm';

/**
 * Row-level security for a data-room table: only rows of the dealer set for the transaction
 * (see TenantDb) are visible or writable. FORCE binds the table owner too.
 */
export async function enableDealerWall(q: QueryRunner, table: string): Promise<void> {
  await q.query(`
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY ${table}_dealer_wall ON ${table}
      USING (dealer_id = forecourt_current_dealer())
      WITH CHECK (dealer_id = forecourt_current_dealer());
  `);
}
