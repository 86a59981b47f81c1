// Starts one PostgreSQL for the whole test run (embedded unless DATABASE_URL is given);
// every test file then makes its own database on it (see test-app.ts).
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '';
    process.env.FORECOURT_TEST_PG = url.toString().replace(/\/$/, '');
    return;
  }
  const { startEmbeddedPostgres } = require('../../dist/apps/host/src/database/embedded-postgres.js');
  const dir = mkdtempSync(join(tmpdir(), 'forecourt-test-'));
  chmodSync(dir, 0o755);
  const handle = await startEmbeddedPostgres(join(dir, 'data'));
  process.env.FORECOURT_TEST_PG = handle.serverUrl;
  process.env.FORECOURT_TEST_DIR = dir;
  globalThis.__forecourtPostgres = handle;
}
