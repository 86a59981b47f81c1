import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { deriveKey, ForecourtConfig } from '../config/forecourt-config';
import { startEmbeddedPostgres } from './embedded-postgres';
import { migrations } from './migrations';

export interface PreparedDatabase {
  /** The migrating owner's connection (superuser on the embedded cluster, DATABASE_URL's user otherwise). */
  ownerUrl: string;
  /** The application's connection: a role that is not superuser and cannot bypass row-level security. */
  appUrl: string;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'forecourt';

/**
 * Gets a database ready before Nest starts: the embedded cluster unless DATABASE_URL is set,
 * every pending migration, and the application role with its grants.
 */
export async function prepareDatabase(config: ForecourtConfig, log: (line: string) => void): Promise<PreparedDatabase> {
  let ownerUrl = config.databaseUrl;
  let stop = async () => undefined as void;
  if (!ownerUrl) {
    const embedded = await startEmbeddedPostgres(config.dataDir);
    stop = embedded.stop;
    await ensureDatabase(embedded.serverUrl, EMBEDDED_DATABASE);
    ownerUrl = `${embedded.serverUrl}/${EMBEDDED_DATABASE}`;
    if (embedded.owned) log(`embedded PostgreSQL started (data in ${config.dataDir}/postgres)`);
  }
  await runMigrations(ownerUrl);
  const appUrl = await ensureAppRole(ownerUrl, config);
  return { ownerUrl, appUrl, stop };
}

export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
}

export async function runMigrations(ownerUrl: string): Promise<void> {
  const source = new DataSource({ type: 'postgres', url: ownerUrl, migrations, migrationsTransactionMode: 'each' });
  await source.initialize();
  try {
    // Two processes booting at once must not run the same migration twice.
    await source.query('SELECT pg_advisory_lock(74201)');
    await source.runMigrations();
  } finally {
    await source.query('SELECT pg_advisory_unlock(74201)').catch(() => undefined);
    await source.destroy();
  }
}

/**
 * The application role is named after the database so several databases on one cluster (tests,
 * staging) keep apart. Its password is derived from FORECOURT_SECRET, so nothing else is stored.
 * An owner that may not create roles runs the app itself; forced row-level security still binds it,
 * and it is refused if it is a superuser or may bypass row-level security.
 */
async function ensureAppRole(ownerUrl: string, config: ForecourtConfig): Promise<string> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const me = (
      await client.query(
        `SELECT current_database() AS db, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
      )
    ).rows[0];
    if (!me.rolsuper && !me.rolcreaterole) {
      if (me.rolbypassrls) throw new Error('DATABASE_URL role may bypass row-level security; use a role without BYPASSRLS');
      return ownerUrl;
    }
    const role = `${me.db}_app`.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 60);
    const password = createHash('sha256').update(deriveKey(config, `db-role:${role}`)).digest('hex');
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await client.query(
      `${verb} ROLE "${role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '${password}'`,
    );
    await client.query(`
      GRANT CONNECT ON DATABASE "${me.db}" TO "${role}";
      GRANT USAGE ON SCHEMA public TO "${role}";
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${role}";
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "${role}";
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO "${role}";
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "${role}";
      REVOKE UPDATE, DELETE, TRUNCATE ON consents FROM "${role}";
      REVOKE ALL ON migrations FROM "${role}";
    `);
    const url = new URL(ownerUrl);
    url.username = role;
    url.password = password;
    return url.toString();
  } finally {
    await client.end();
  }
}
