import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The second wall, checked in the database itself: connected as the application role, a data-room
 * table shows nothing without a tenant, only the tenant's rows with one, and refuses rows of
 * another dealer. Tables are found by their `dealer_id` column, so tables added later are covered.
 */

/**
 * Tables that carry dealer_id but are the network's configuration, read before a tenant is known
 * (logins, API key lookup, the audit log, plugin and service settings, run bookkeeping). Anything
 * else with a dealer_id is a data-room table and must be walled; a new exception is added here,
 * with its reason, on purpose.
 */
const NETWORK_TABLES: Record<string, string> = {
  dealer_brands: 'which brands a dealer sells: network structure',
  users: 'looked up by email at login, before any tenant is known',
  api_keys: 'looked up by key hash to find the tenant',
  audit_log: 'the network admin reads all of it; append-only',
  plugin_installations: 'plugin settings per dealer; the plugin host scopes them',
  service_subscriptions: 'which services a dealer switched on, read by the engine for every dealer',
  run_days: 'run bookkeeping per dealer and day',
  dispatch_queue: 'message ids of pending work: workers claim across dealers, then read each message under its tenant',
  provider_refs: 'provider id to message id, looked up by status callbacks before the tenant is known',
  webhook_queue: 'webhook delivery ids of pending work: workers claim across dealers, then read each delivery under its tenant',
};

describe('row-level security as the application role', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let app: Client;
  let walled: string[];

  const count = async (client: Client, table: string, where = 'true', params: unknown[] = []) =>
    Number((await client.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params)).rows[0].n);

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    for (const dealer of [net.dealerA, net.dealerB]) {
      const key = { 'X-Api-Key': dealer.apiKey };
      const room = `/api/dealers/${dealer.id}`;
      for (const request of [
        t.http().post(`${room}/customers/C1/consents`).set(key).send({ channel: 'email', purpose: 'marketing', granted: true, source: 'desk' }),
        t.http().put(`${room}/appointments/AP1`).set(key).send({ vehicleExternalId: 'V1', type: 'service', startsAt: '2027-02-01T09:00:00Z', status: 'booked' }),
        t.http().post(`${room}/events`).set(key).send({ customerExternalId: 'C1', type: 'visit' }),
      ]) {
        const res = await request;
        if (res.status >= 300) throw new Error(`setup: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    // Something the network admin did, for the audit log checks.
    await t.http().post('/api/brands').set(bearer(net.adminToken)).send({ key: 'rls-brand', name: 'RLS', theme: { primaryColor: '#000000' } });
    const tables = await t.ownerQuery<{ name: string }>(
      `SELECT c.table_name AS name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND c.column_name = 'dealer_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`,
    );
    walled = tables.map((r) => r.name).filter((name) => !(name in NETWORK_TABLES));
    app = new Client({ connectionString: t.appUrl });
    await app.connect();
  });
  afterAll(async () => {
    await app?.end();
    await t?.close();
  });

  it('finds the data-room tables by their dealer_id column', () => {
    expect(walled).toEqual(expect.arrayContaining(['customers', 'vehicles', 'consents', 'appointments', 'events']));
  });

  it('connects as a role that is neither superuser nor allowed to bypass row-level security', async () => {
    const { rows } = await app.query(
      `SELECT current_user AS name, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
              has_schema_privilege(current_user, 'public', 'CREATE') AS may_create
         FROM pg_roles WHERE rolname = current_user`,
    );
    expect(rows[0]).toMatchObject({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false, may_create: false });
    // And that role is what the running app's pool uses.
    const [used] = await t.app.get(DataSource).query('SELECT current_user AS name');
    expect(used.name).toBe(rows[0].name);
    expect(used.name).toBe(decodeURIComponent(new URL(t.appUrl).username));
    const owned = await app.query(`SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`);
    expect(owned.rows).toEqual([]);
  });

  it('forces row-level security with the dealer wall policy on every data-room table', async () => {
    const rows = await t.ownerQuery<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) AND relnamespace = 'public'::regnamespace`,
      [walled],
    );
    expect(rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity).map((r) => r.relname)).toEqual([]);
    const policies = await t.ownerQuery<{ tablename: string; cmd: string; qual: string; with_check: string; permissive: string }>(
      `SELECT tablename, cmd, qual, with_check, permissive FROM pg_policies WHERE schemaname = 'public' AND tablename = ANY($1)`,
      [walled],
    );
    for (const table of walled) {
      const own = policies.filter((p) => p.tablename === table);
      // One policy for every command, bound to the tenant both ways; no other permissive policy widens it.
      expect({ table, policies: own.map((p) => ({ cmd: p.cmd, permissive: p.permissive, qual: p.qual, with_check: p.with_check })) }).toEqual({
        table,
        policies: [{ cmd: 'ALL', permissive: 'PERMISSIVE', qual: '(dealer_id = forecourt_current_dealer())', with_check: '(dealer_id = forecourt_current_dealer())' }],
      });
    }
  });

  it('shows no data-room rows without a tenant, though the owner sees them', async () => {
    for (const table of walled) {
      expect({ table, rows: await count(app, table) }).toEqual({ table, rows: 0 });
    }
    for (const table of ['customers', 'vehicles', 'consents', 'appointments', 'events']) {
      const [{ n }] = await t.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      expect({ table, ownerRows: Number(n) >= 2 }).toEqual({ table, ownerRows: true });
    }
  });

  it('refuses to simply switch row-level security off', async () => {
    await app.query('BEGIN');
    try {
      await app.query('SET LOCAL row_security = off');
      await expect(app.query('SELECT * FROM customers')).rejects.toThrow(/row-level security/);
    } finally {
      await app.query('ROLLBACK');
    }
    await expect(app.query('ALTER TABLE customers DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be (the )?owner/);
    await expect(app.query('ALTER TABLE customers NO FORCE ROW LEVEL SECURITY')).rejects.toThrow(/must be (the )?owner/);
  });

  it("with tenant A set shows exactly A's rows, and the setting ends with the transaction", async () => {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [net.dealerA.id]);
      for (const table of walled) {
        const [{ n: own }] = await t.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE dealer_id = $1`, [net.dealerA.id]);
        expect({ table, visible: await count(app, table), others: await count(app, table, 'dealer_id <> $1', [net.dealerA.id]) }).toEqual({
          table,
          visible: Number(own),
          others: 0,
        });
      }
      expect(await count(app, 'customers')).toBe(1);
    } finally {
      await app.query('COMMIT');
    }
    expect(await count(app, 'customers')).toBe(0);
  });

  it("forgets the app's tenant when its transaction ends, on every pooled connection", async () => {
    const tenant = t.app.get(TenantDb);
    const pool = t.app.get(DataSource);
    const seen = await Promise.all(Array.from({ length: 30 }, () => tenant.run(net.dealerA.id, (m) => m.query('SELECT count(*)::int AS n FROM customers'))));
    expect(seen.map(([r]) => r.n)).toEqual(Array(30).fill(1));
    const after = await Promise.all(
      Array.from({ length: 30 }, () => pool.query(`SELECT current_setting('forecourt.dealer_id', true) AS tenant, (SELECT count(*)::int FROM customers) AS n`)),
    );
    expect(after.filter(([r]) => r.tenant || r.n !== 0)).toEqual([]);
    // A failed unit of work leaves nothing behind either.
    await expect(tenant.run(net.dealerA.id, async (m) => { await m.query('SELECT 1/0'); })).rejects.toThrow(/division by zero/);
    expect((await pool.query('SELECT count(*)::int AS n FROM customers'))[0].n).toBe(0);
  });

  it("refuses to write dealer B's rows while tenant A is set", async () => {
    const [b] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1`, [net.dealerB.id]);
    const inTenantA = async (sql: string, params: unknown[]) => {
      await app.query('BEGIN');
      try {
        await app.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [net.dealerA.id]);
        return await app.query(sql, params);
      } finally {
        await app.query('ROLLBACK');
      }
    };
    await expect(
      inTenantA(`INSERT INTO customers (dealer_id, external_id, kind, last_name) VALUES ($1, 'X9', 'person', 'Intruder')`, [net.dealerB.id]),
    ).rejects.toThrow(/row-level security/);
    await expect(
      inTenantA(`INSERT INTO events (dealer_id, customer_id, type, at) VALUES ($1, $2, 'intrusion', now())`, [net.dealerB.id, b.id]),
    ).rejects.toThrow(/row-level security/);
    // Moving one's own row into another room is refused as well.
    await expect(inTenantA(`UPDATE customers SET dealer_id = $1`, [net.dealerB.id])).rejects.toThrow(/row-level security|foreign key/);
    expect((await inTenantA(`UPDATE customers SET last_name = 'Changed' WHERE id = $1`, [b.id])).rowCount).toBe(0);
    expect((await inTenantA(`DELETE FROM customers WHERE id = $1`, [b.id])).rowCount).toBe(0);
    const [still] = await t.ownerQuery<{ last_name: string }>('SELECT last_name FROM customers WHERE id = $1', [b.id]);
    expect(still.last_name).toBe('Room dealer-b');
    // Without a tenant, nothing can be written either.
    await expect(
      app.query(`INSERT INTO customers (dealer_id, external_id, kind, last_name) VALUES ($1, 'X8', 'person', 'Nobody')`, [net.dealerB.id]),
    ).rejects.toThrow(/row-level security/);
  });

  it('keeps the audit log append-only, for the application role and even for the owner', async () => {
    const [entry] = await t.ownerQuery<{ id: string }>(`SELECT id FROM audit_log WHERE action = 'POST /api/brands' ORDER BY id DESC LIMIT 1`);
    expect(entry).toBeDefined();
    await expect(app.query(`UPDATE audit_log SET action = 'tampered' WHERE id = $1`, [entry.id])).rejects.toThrow(/permission denied/);
    await expect(app.query(`DELETE FROM audit_log WHERE id = $1`, [entry.id])).rejects.toThrow(/permission denied/);
    await expect(app.query(`TRUNCATE audit_log`)).rejects.toThrow(/permission denied/);
    await expect(t.ownerQuery(`UPDATE audit_log SET action = 'tampered' WHERE id = $1`, [entry.id])).rejects.toThrow(/append-only/);
    await expect(t.ownerQuery(`DELETE FROM audit_log WHERE id = $1`, [entry.id])).rejects.toThrow(/append-only/);
    await expect(t.ownerQuery(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    // Inserting is what the application does.
    const inserted = await app.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'rls-test') RETURNING id`);
    expect(inserted.rowCount).toBe(1);
  });

  it('keeps the consent ledger append-only for the application role: no update, no delete', async () => {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [net.dealerA.id]);
      await expect(app.query(`UPDATE consents SET granted = NOT granted`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.query('ROLLBACK');
    }
    // Entries go only with their customer or vehicle (erasure), never one by one.
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [net.dealerA.id]);
      await expect(app.query(`DELETE FROM consents WHERE granted`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.query('ROLLBACK');
    }
  });
});
