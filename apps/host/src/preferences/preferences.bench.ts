import { INestApplication } from '@nestjs/common';
import { createServer, get } from 'node:http';
import { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { TenantDb } from '../database/tenant-db.service';
import { NewMessage } from '../dispatch/message.types';
import { OutboxService } from '../dispatch/outbox.service';
import { LinkTokens } from '../rendering/link-tokens';

export interface PreferenceBenchOptions {
  /** Distinct customers, each with three vehicles, three ledger entries and one message (default 5000). */
  customers?: number;
  /** Measured requests (default 12000), after a warm-up of a quarter as many. */
  requests?: number;
  /** Keep-alive connections, each with one request in flight (default 200). */
  concurrency?: number;
  progress?: (line: string) => void;
}

export interface PreferenceBenchResult {
  requests: number;
  concurrency: number;
  preferenceP50Ms: number;
  preferenceP99Ms: number;
  preferencePerSecond: number;
  /** The same load against a bare node:http server answering the same page from memory: what the machine and the harness allow. */
  baselineP99Ms: number;
  baselinePerSecond: number;
}

/**
 * The load generator, in a worker thread so it does not take the event loop the server answers
 * on: `concurrency` keep-alive connections, each sending its next GET as soon as the last answer
 * is read, over the tokens in turn. Plain sockets with a minimal HTTP/1.1 reader (status line,
 * Content-Length) rather than http.Agent: the client's own work shares the two cores with the
 * server, so the leaner it is, the more the figure measures the server. Every answer must be a 200 page.
 */
const LOAD = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const { port, paths, total, concurrency } = workerData;
const latencies = new Float64Array(total);
let next = 0, done = 0, failed = 0;
const started = performance.now();
const finish = () => parentPort.postMessage({ latencies, failed, seconds: (performance.now() - started) / 1000 });
function connection() {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  let i = -1, t0 = 0, buffer = Buffer.alloc(0), need = -1, status = 0;
  const send = () => {
    if (next >= total) return socket.end();
    i = next++;
    t0 = performance.now();
    socket.write('GET ' + paths[i % paths.length] + ' HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n');
  };
  socket.on('connect', send);
  socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (need < 0) {
        const end = buffer.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        status = Number(head.slice(9, 12));
        const length = /\\r\\ncontent-length:\\s*(\\d+)/i.exec(head);
        need = end + 4 + (length ? Number(length[1]) : 0);
      }
      if (buffer.length < need) return;
      buffer = buffer.subarray(need);
      need = -1;
      if (status !== 200) failed++;
      latencies[i] = performance.now() - t0;
      if (++done === total) return finish();
      send();
    }
  });
  socket.on('error', () => { failed++; if (i >= 0 && !latencies[i]) { latencies[i] = performance.now() - t0; if (++done === total) finish(); } });
}
for (let c = 0; c < concurrency; c++) connection();
`;

function load(port: number, paths: string[], total: number, concurrency: number): Promise<{ latencies: Float64Array; failed: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: { port, paths, total, concurrency } });
    worker.once('message', (result) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * GET /p/:token at `concurrency` requests in flight, over distinct realistic customers (a
 * dealer with a themed brand; customers with three vehicles and a few ledger entries each).
 * The app must listen on loopback; the data goes into its database.
 */
export async function measurePreferences(app: INestApplication, options: PreferenceBenchOptions = {}): Promise<PreferenceBenchResult> {
  const customers = options.customers ?? 5000;
  const requests = options.requests ?? 12_000;
  const concurrency = options.concurrency ?? 200;
  const dataSource = app.get(DataSource);
  const tenant = app.get(TenantDb);
  const [brand] = await dataSource.query(
    `INSERT INTO brands (key, name, theme) VALUES ('prefbench-' || substr(md5(random()::text), 1, 8), 'Vela',
       '{"primaryColor":"#0b5fff","logoUrl":"https://cdn.vela.test/logo.png","fontFamily":"Inter, Arial, sans-serif"}') RETURNING id`,
  );
  const [dealer] = await dataSource.query(
    `INSERT INTO dealers (key, name, timezone, locale) VALUES ('prefbench-' || substr(md5(random()::text), 1, 10), 'Autohaus Bench', 'Europe/Berlin', 'de') RETURNING id`,
  );
  await dataSource.query('INSERT INTO dealer_brands (dealer_id, brand_id) VALUES ($1, $2)', [dealer.id, brand.id]);
  options.progress?.(`preferences: ${customers} customers with 3 vehicles and 3 ledger entries each`);
  const messageIds = await tenant.run(dealer.id, async (m) => {
    await m.query(
      `INSERT INTO customers (dealer_id, external_id, kind, first_name, last_name, company_name, email, phone, locale)
       SELECT $1, 'P' || i, CASE WHEN i % 10 = 0 THEN 'company' ELSE 'person' END, 'Kim', 'Becker ' || i,
              CASE WHEN i % 10 = 0 THEN 'Fleet ' || i || ' GmbH' END, 'p' || i || '@bench.test', '+4917' || lpad(i::text, 8, '0'),
              (ARRAY['de', 'nl', 'en'])[1 + i % 3]
         FROM generate_series(1, $2) AS i`,
      [dealer.id, customers],
    );
    await m.query(
      `INSERT INTO vehicles (dealer_id, external_id, customer_id, brand_id, model, license_plate, inspection_due_date)
       SELECT $1, c.external_id || '-' || n, c.id, $2, 'Vela ' || (ARRAY['City', 'Tour', 'Cargo'])[n], 'B-' || c.external_id || '-' || n, current_date + n * 30
         FROM customers c, generate_series(1, 3) AS n`,
      [dealer.id, brand.id],
    );
    // A typical history: an import, an opt-in to marketing by email, one vehicle sold off for SMS.
    await m.query(
      `INSERT INTO consents (dealer_id, customer_id, vehicle_id, channel, purpose, granted, source, acted_at)
       SELECT $1::uuid, c.id, NULL::uuid, 'all', 'service', true, 'dms-import', now() - interval '400 days' FROM customers c
       UNION ALL SELECT $1, c.id, NULL::uuid, 'email', 'marketing', true, 'web-form', now() - interval '200 days' FROM customers c
       UNION ALL SELECT $1, v.customer_id, v.id, 'sms', 'all', false, 'dms-import', now() - interval '100 days' FROM vehicles v WHERE v.external_id LIKE '%-3'`,
      [dealer.id],
    );
    const rows: { id: string; customer_id: string; vehicle_ids: string[]; locale: string; email: string }[] = await m.query(
      `SELECT c.id, c.id AS customer_id, c.locale, c.email, array_agg(v.id ORDER BY v.external_id) AS vehicle_ids
         FROM customers c JOIN vehicles v ON v.customer_id = c.id GROUP BY c.id ORDER BY c.external_id`,
    );
    const ids: string[] = [];
    for (let at = 0; at < rows.length; at += 1000) {
      const batch: NewMessage[] = rows.slice(at, at + 1000).map((r) => ({
        dedupeKey: `prefbench:${r.customer_id}`,
        channel: 'email',
        template: 'inspection-reminder/invite',
        locale: r.locale,
        recipient: { name: 'Kim Becker', email: r.email, locale: r.locale },
        brandId: brand.id,
        customerId: r.customer_id,
        vehicleIds: r.vehicle_ids,
        held: { reason: 'benchmark' },
      }));
      ids.push(...(await app.get(OutboxService).enqueue(m, dealer.id, batch)).map((e) => e.id));
    }
    return ids;
  });
  await dataSource.query('ANALYZE customers; ANALYZE vehicles; ANALYZE consents; ANALYZE messages');
  const tokens = app.get(LinkTokens);
  const paths = messageIds.map((messageId) => `/p/${tokens.sign('preferences', { dealerId: dealer.id, messageId })}`);
  const port = (app.getHttpServer().address() as { port: number }).port;
  options.progress?.(`preferences: warming up, then ${requests} GET /p/:token at ${concurrency} in flight`);
  const warm = await load(port, paths.slice().reverse(), Math.ceil(requests / 4), concurrency);
  if (warm.failed) throw new Error(`${warm.failed} warm-up requests failed`);
  const run = await load(port, paths, requests, concurrency);
  if (run.failed) throw new Error(`${run.failed} of ${requests} requests did not answer 200`);
  const baseline = await bareServerLoad(port, paths[0], requests, concurrency);
  return {
    requests,
    concurrency,
    preferenceP50Ms: percentile(run.latencies, 0.5),
    preferenceP99Ms: percentile(run.latencies, 0.99),
    preferencePerSecond: requests / run.seconds,
    baselineP99Ms: percentile(baseline.latencies, 0.99),
    baselinePerSecond: requests / baseline.seconds,
  };
}

function percentile(latencies: Float64Array, q: number): number {
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * The floor under the figure: the same harness against a node:http server that answers one real
 * page's bytes from memory, with no routing, database or rendering. On the 2-core machine the
 * load generator and the kernel's loopback share the cores with the server, and this floor is
 * itself near the target.
 */
async function bareServerLoad(appPort: number, path: string, total: number, concurrency: number) {
  const page = await new Promise<{ body: Buffer; type: string }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    get({ host: '127.0.0.1', port: appPort, path }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), type: String(res.headers['content-type']) }));
    }).on('error', reject);
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': page.type, 'Content-Length': page.body.length, 'Cache-Control': 'no-store' });
    res.end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    await load(port, [path], Math.ceil(total / 4), concurrency);
    return await load(port, [path], total, concurrency);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
