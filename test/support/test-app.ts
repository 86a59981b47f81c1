import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createForecourtApp } from '../../apps/host/src/app.factory';
import { ForecourtConfig, loadConfig } from '../../apps/host/src/config/forecourt-config';
import { ensureDatabase } from '../../apps/host/src/database/database.bootstrap';

export interface TestApp {
  app: INestApplication;
  config: ForecourtConfig;
  /** Base URL of the listening server, on loopback and a free port. */
  url: string;
  http: () => ReturnType<typeof request>;
  /** The database owner's connection string (superuser on the embedded cluster): for checks beside the app. */
  ownerUrl: string;
  /** The application role's connection string. */
  appUrl: string;
  ownerQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A whole Forecourt on its own fresh database, listening on 127.0.0.1 on a free port.
 * `env` overrides configuration as the environment would.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const server = process.env.FORECOURT_TEST_PG;
  if (!server) throw new Error('FORECOURT_TEST_PG is not set: run the tests through jest (global setup starts PostgreSQL)');
  const name = `fc_test_${randomBytes(5).toString('hex')}`;
  await ensureDatabase(server, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'forecourt-app-'));
  const config = loadConfig({
    FORECOURT_DATA_DIR: dataDir,
    FORECOURT_SECRET: randomBytes(32).toString('hex'),
    FORECOURT_DEMO: '0',
    DATABASE_URL: `${server}/${name}`,
    PORT: '0',
    ...env,
  } as NodeJS.ProcessEnv);
  const forecourt = await createForecourtApp(config, { logger: false });
  await forecourt.app.listen(0, '127.0.0.1');
  const address = forecourt.app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  config.publicUrl = env.PUBLIC_URL ?? url;
  const ownerQuery = async <T>(sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: forecourt.database.ownerUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    app: forecourt.app,
    config,
    url,
    http: () => request(forecourt.app.getHttpServer()),
    ownerUrl: forecourt.database.ownerUrl,
    appUrl: forecourt.database.appUrl,
    ownerQuery,
    close: async () => {
      await forecourt.close();
      const admin = new Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
