import { INestApplicationContext } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { createTransport } from 'nodemailer';
import { DataSource } from 'typeorm';
import { TenantDb } from '../database/tenant-db.service';
import { PluginInstallationRepository } from '../plugin-host/plugin-installation.repository';
import { PluginRegistry } from '../plugin-host/plugin-registry.service';
import { DispatchWorker } from './dispatch.worker';
import { outgoingMessage, renderRequestFor } from './message-content';
import { MESSAGE_RENDERER, MessageRenderer } from './message-renderer';
import { MessageRow, NewMessage } from './message.types';
import { OutboxService } from './outbox.service';

export interface DispatchBenchOptions {
  /** Emails per measurement (default 3000). */
  messages?: number;
  /** Progress lines for a command line. */
  progress?: (line: string) => void;
}

export interface DispatchBenchResult {
  messages: number;
  /** Enqueued emails through claim, render, mark, nodemailer and record, per second. */
  dispatchPerSecond: number;
  /** nodemailer alone sending the same emails to the same server with the same pool, per second. */
  rawSmtpPerSecond: number;
  /** dispatchPerSecond / rawSmtpPerSecond; the target is at least 0.8. */
  ratio: number;
}

interface Pool {
  maxConnections: number;
  messagesPerConnection: number;
  timeoutSeconds: number;
}

const ROUNDS = 5;
const WARM_UP = 200;
const TEMPLATE = 'inspection-reminder/invite';

interface Sink {
  url: string;
  /** Messages the server accepted so far. */
  received(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * An SMTP server on loopback that accepts everything and only counts, on a thread of its own: a
 * real server is on another machine, so its work must not slow down the side being measured.
 */
const SINK = `
const { parentPort, workerData } = require('node:worker_threads');
const { SMTPServer } = require(workerData.smtpServer);
let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  maxClients: 1000,
  closeTimeout: 500,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received++;
      callback(null, 'queued');
    });
  },
});
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.server.address().port }));
parentPort.on('message', (ask) => {
  if (ask === 'count') parentPort.postMessage({ received });
  if (ask === 'stop') server.close(() => process.exit(0));
});
`;

async function startSink(): Promise<Sink> {
  const thread = new Worker(SINK, { eval: true, workerData: { smtpServer: require.resolve('smtp-server') } });
  const waiting: ((reply: { port?: number; received?: number }) => void)[] = [];
  let failure: Error | undefined;
  thread.on('message', (reply) => waiting.shift()?.(reply));
  thread.on('error', (error) => (failure = error));
  const ask = (question?: string) =>
    new Promise<{ port?: number; received?: number }>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push(resolve);
      if (question) thread.postMessage(question);
    });
  const { port } = await ask();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: async () => (await ask('count')).received!,
    async stop() {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage('stop');
      await exited;
    },
  };
}

/**
 * Dispatch speed against the transport's raw speed, measured in one run on the database `app`
 * is connected to: N emails through the whole pipeline (outbox rows claimed, rendered, marked
 * `sending`, handed to the email channel's nodemailer pool, recorded) into an SMTP server on
 * loopback, and the same N emails (same content and size, same pool) sent by nodemailer alone to
 * the same server. Rounds alternate and the medians are answered, so a busy moment of the
 * machine hits both alike. It uses a brand and a dealer of its own, whose email settings point
 * at its server; nothing else in the database is sent.
 */
export async function measureDispatch(app: INestApplicationContext, options: DispatchBenchOptions = {}): Promise<DispatchBenchResult> {
  const total = options.messages ?? 3000;
  if (!Number.isInteger(total) || total < 1) throw new Error(`messages must be a positive whole number, got ${total}`);
  const say = options.progress ?? (() => undefined);
  const email = app.get(PluginRegistry).channel('email');
  if (!email) throw new Error('the dispatch bench needs the email channel (plugins/channel-email), and no enabled plugin provides it');
  const worker = app.get(DispatchWorker);
  const tenant = app.get(TenantDb);
  const outbox = app.get(OutboxService);
  const renderer = app.get<MessageRenderer>(MESSAGE_RENDERER);
  // The channel's own defaults, so both measurements use the pool every dealer gets.
  const defaults = email.settingsSchema?.properties ?? {};
  const pool: Pool = {
    maxConnections: Number(defaults.maxConnections?.default ?? 5),
    messagesPerConnection: Number(defaults.messagesPerConnection?.default ?? 100),
    timeoutSeconds: Number(defaults.timeoutSeconds?.default ?? 60),
  };
  const tag = randomBytes(4).toString('hex');
  const sink = await startSink();
  try {
    const dealerId = await benchDealer(app.get(DataSource), tag);
    await app.get(DataSource).transaction((m) =>
      app.get(PluginInstallationRepository).save(email.pluginId, dealerId, { enabled: true, settings: { ...pool }, secrets: { smtpUrl: sink.url } }, m),
    );

    const message = (i: number, round: string): NewMessage => ({
      dedupeKey: `bench:${tag}:${round}:${i}`,
      channel: 'email',
      template: TEMPLATE,
      locale: 'nl',
      recipient: { name: `Klant ${i}`, email: `klant-${round}-${i}@bench.test`, locale: 'nl' },
      data: { customer: { firstName: 'Klant', lastName: String(i) }, vehicles: [{ licensePlate: `AB-${String(i % 1000).padStart(3, '0')}-CD`, inspectionDueDate: '2026-06-01' }] },
    });
    const enqueue = async (round: string, count: number) => {
      for (let from = 0; from < count; from += 1000) {
        const batch = Array.from({ length: Math.min(1000, count - from) }, (_, k) => message(from + k, round));
        await tenant.run(dealerId, (m) => outbox.enqueue(m, dealerId, batch));
      }
    };
    const drain = async (round: string, count: number) => {
      const before = await sink.received();
      const result = await worker.drain({ dealerIds: [dealerId] });
      const got = (await sink.received()) - before;
      if (got !== count || result.sent !== count) {
        const reasons = await tenant.run(dealerId, (m) =>
          m.query(`SELECT status, status_reason, count(*)::int AS n FROM messages WHERE dealer_id = $1 AND dedupe_key LIKE $2 AND status <> 'sent' GROUP BY 1, 2 LIMIT 5`, [
            dealerId,
            `bench:${tag}:${round}:%`,
          ]),
        );
        throw new Error(`dispatch bench: ${result.sent} of ${count} sent, the server got ${got} (${JSON.stringify(reasons)})`);
      }
    };

    say(`dispatch: warming up with ${WARM_UP} emails`);
    await enqueue('warm', WARM_UP);
    await drain('warm', WARM_UP);
    const [sample] = (await tenant.run(dealerId, (m) =>
      m.query(`SELECT * FROM messages WHERE dealer_id = $1 AND dedupe_key = $2`, [dealerId, `bench:${tag}:warm:0`]),
    )) as MessageRow[];
    const [dealer] = await app.get(DataSource).query('SELECT id, name, sender_name, sender_email, email, phone, address FROM dealers WHERE id = $1', [dealerId]);
    const rendered = outgoingMessage(sample, await renderer.render(renderRequestFor(sample)), dealer, 'noreply@localhost');
    // nodemailer alone gets as many emails under way as the worker has (it is fastest fed a window at a time).
    const window = worker.settings.concurrency;
    await measureRaw(sink, pool, window, WARM_UP, rendered);

    const raw: number[] = [];
    const dispatched: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      say(`dispatch: round ${round} of ${ROUNDS}: nodemailer alone, ${total} emails`);
      raw.push(await measureRaw(sink, pool, window, total, rendered));
      say(`dispatch: round ${round} of ${ROUNDS}: ${total} emails into the outbox`);
      await enqueue(`run${round}`, total);
      say(`dispatch: round ${round} of ${ROUNDS}: ${total} emails through the outbox`);
      const started = process.hrtime.bigint();
      await drain(`run${round}`, total);
      dispatched.push(total / seconds(started));
    }
    const dispatchPerSecond = median(dispatched);
    const rawSmtpPerSecond = median(raw);
    return {
      messages: total,
      dispatchPerSecond: Math.round(dispatchPerSecond),
      rawSmtpPerSecond: Math.round(rawSmtpPerSecond),
      ratio: Math.round((dispatchPerSecond / rawSmtpPerSecond) * 100) / 100,
    };
  } finally {
    await sink.stop();
  }
}

/** nodemailer alone: the email channel's transport options and message fields, one rendered email for every recipient. */
async function measureRaw(
  sink: Sink,
  pool: Pool,
  window: number,
  total: number,
  email: { id: string; subject?: string; html?: string; text?: string; headers?: Record<string, string>; from?: { email?: string; name?: string } },
): Promise<number> {
  const timeout = pool.timeoutSeconds * 1000;
  const transport = createTransport({
    url: sink.url,
    pool: true,
    maxConnections: pool.maxConnections,
    maxMessages: pool.messagesPerConnection,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
    logger: false,
  });
  const mail = (i: number) => ({
    messageId: `<${randomUUID()}@bench.test>`,
    from: { name: email.from?.name ?? '', address: email.from?.email ?? 'noreply@localhost' },
    to: { name: `Klant ${i}`, address: `raw-${i}@bench.test` },
    subject: email.subject ?? '',
    html: email.html,
    text: email.text,
    headers: email.headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    const before = await sink.received();
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(window, total) }, async () => {
        while (next < total) await transport.sendMail(mail(next++));
      }),
    );
    const rate = total / seconds(started);
    const got = (await sink.received()) - before;
    if (got !== total) throw new Error(`dispatch bench: nodemailer sent ${total}, the server got ${got}`);
    return rate;
  } finally {
    transport.close();
  }
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A dealer of the bench's own, so its messages mix with nothing else. Its brand is made once per
 * database and reused: rendering keeps the list of brands for a while, and a brand made a moment
 * ago could be missing from it in a second measurement in the same process.
 */
async function benchDealer(dataSource: DataSource, tag: string): Promise<string> {
  const [brand] = await dataSource.query(
    `INSERT INTO brands (key, name, theme) VALUES ('forecourt-bench', 'Bench', '{"primaryColor": "#0b5fff"}')
     ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id`,
  );
  const [dealer] = await dataSource.query(
    `INSERT INTO dealers (key, name, timezone, locale, sender_name, sender_email)
     VALUES ($1, 'Autohaus Bench', 'Europe/Amsterdam', 'nl', 'Autohaus Bench', 'service@bench.test') RETURNING id`,
    [`bench-${tag}`],
  );
  await dataSource.query('INSERT INTO dealer_brands (dealer_id, brand_id) VALUES ($1, $2)', [dealer.id, brand.id]);
  return dealer.id;
}
