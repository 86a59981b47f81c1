import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomInt, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { HealthService } from '../health/health.service';
import { SecretBox } from '../plugin-host/secret-box';
import { WEBHOOK_NOTIFY_CHANNEL } from './consent-events';
import { postWebhook } from './webhook-post';
import { signWebhook } from './webhook.signature';
import { AttemptOutcome, ClaimedDelivery, DeliveryWork, WEBHOOK_WORKER_LOCK_CLASS, WebhookStore } from './webhook.store';
import { DEFAULT_WEBHOOK_OPTIONS, WebhookOptions, webhookRetryDelayMs } from './webhooks.options';

export const WEBHOOK_SECRET_BOX = Symbol('WEBHOOK_SECRET_BOX');

/** The context an endpoint's secret is sealed to: a sealed secret copied to another endpoint does not open. */
export const secretContext = (dealerId: string, endpointId: string) => `webhook:${dealerId}:${endpointId}`;

/** The body as sent: fixed key order, the same bytes on every attempt. */
export function webhookBody(dealerId: string, event: DeliveryWork['event']): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, dealerId, data: event.data });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers queued webhook deliveries: claims due ones in small batches (`FOR UPDATE SKIP
 * LOCKED`, so any number of workers share the queue), POSTs each signed, records the outcome,
 * and schedules a retry with backoff on anything but a 2xx. A claim whose worker died is taken
 * back after the lease and delivered again: at least once, deduplicated by the receiver on the
 * event id. Runs in processes whose role is `all` or `worker`; woken by NOTIFY after a commit.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private options: WebhookOptions;
  private running = false;
  private loop?: Promise<void>;
  /** Holds the worker's advisory lock (its presence) and listens for NOTIFY; claims are made only while it is connected. */
  private listener?: Client;
  private key = 0;
  private wake?: () => void;
  /** A wake-up that came while the loop was busy: the next wait is skipped, so a NOTIFY during a claim is not lost. */
  private woken = false;
  private nextRecoverAt = 0;
  private readonly inFlight = new Map<string, { claim: ClaimedDelivery; abort: AbortController }>();
  private readonly counts = { delivered: 0, retried: 0, failed: 0 };

  constructor(
    private readonly store: WebhookStore,
    private readonly dataSource: DataSource,
    private readonly health: HealthService,
    @Inject(WEBHOOK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, retryBaseMs: config.webhookRetryBaseMs };
  }

  onModuleInit(): void {
    this.health.register('webhooks', async () => ({
      status: 'up',
      ...(await this.store.queueCounts()),
      thisProcess: { delivering: this.running, inFlight: this.inFlight.size, ...this.counts },
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role !== 'api') await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Changes pacing (tests shorten the waits). */
  configure(options: Partial<WebhookOptions>): void {
    this.options = { ...this.options, ...options };
    this.kick();
  }

  get settings(): Readonly<WebhookOptions> {
    return this.options;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect().catch((error) => this.logger.warn(`webhook worker not connected yet: ${(error as Error).message}`));
    this.loop = this.run();
  }

  /** Stops claiming, aborts deliveries under way (their claims go back to the queue, untried). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const { abort } of this.inFlight.values()) abort.abort();
    this.kick();
    await this.loop;
    const deadline = Date.now() + 5_000;
    while (this.inFlight.size && Date.now() < deadline) await sleep(10);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /**
   * The worker's own connection: it holds an advisory lock on the worker's key for as long as the
   * process lives (claims carry the key, so another worker takes back a dead one's claims at once)
   * and listens for new deliveries.
   */
  private async connect(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) throw new Error('the webhook worker needs the database URL');
    const client = new Client({ connectionString: url, application_name: 'forecourt-webhooks' });
    await client.connect();
    try {
      let key = 0;
      for (let tries = 0; !key && tries < 10; tries++) {
        const candidate = randomInt(1, 2 ** 31 - 1);
        const [{ locked }] = (await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [WEBHOOK_WORKER_LOCK_CLASS, candidate])).rows;
        if (locked) key = candidate;
      }
      if (!key) throw new Error('could not take a webhook worker lock');
      await client.query(`LISTEN ${WEBHOOK_NOTIFY_CHANNEL}`);
      this.key = key;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    client.on('notification', () => this.kick());
    client.on('error', (error) => {
      if (!this.running || this.listener !== client) return;
      this.logger.warn(`webhook worker connection lost (${error.message}); reconnecting`);
      this.listener = undefined;
    });
    this.listener = client;
  }

  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        // Without its connection (and so its lock) the worker claims nothing: others would take the claims back at once.
        if (!this.listener) await this.connect();
        if (Date.now() >= this.nextRecoverAt) {
          this.nextRecoverAt = Date.now() + this.options.recoverEveryMs;
          const taken = await this.store.recover(this.options.leaseMs, this.options.maxAttempts);
          if (taken) this.logger.warn(`took back ${taken} delivery claim(s) past their lease`);
        }
        const room = this.options.concurrency - this.inFlight.size;
        if (room > 0) {
          const claims = await this.store.claim({ id: this.id, key: this.key }, Math.min(room, 10));
          claimed = claims.length;
          for (const claim of claims) this.begin(claim);
        }
      } catch (error) {
        this.logger.error(`webhook queue: ${(error as Error).message}`);
      }
      if (!this.running) break;
      // More may be due at once (the next event of an endpoint just delivered); else wait for a wake-up or the poll.
      if (this.woken) this.woken = false;
      else if (claimed === 0 || this.inFlight.size >= this.options.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(this.options.pollMs, Math.max(5, this.nextRecoverAt - Date.now())));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private begin(claim: ClaimedDelivery): void {
    const abort = new AbortController();
    this.inFlight.set(claim.claim_id, { claim, abort });
    this.deliver(claim, abort.signal)
      .catch((error) => this.logger.error(`delivery ${claim.delivery_id}: ${(error as Error).message}`))
      .finally(() => {
        this.inFlight.delete(claim.claim_id);
        this.kick();
      });
  }

  private async deliver(claim: ClaimedDelivery, stopping: AbortSignal): Promise<void> {
    const work = await this.store.load(claim);
    if (!work) return this.store.drop(claim);
    const body = webhookBody(claim.dealer_id, work.event);
    const timestamp = Math.floor(Date.now() / 1000);
    let outcome: AttemptOutcome;
    try {
      const secret = this.secret(claim, work);
      const status = await postWebhook(work.url, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Forecourt-Webhooks',
          'X-Forecourt-Event-Id': work.event.id,
          'X-Forecourt-Event-Type': work.event.type,
          'X-Forecourt-Timestamp': String(timestamp),
          'X-Forecourt-Signature': signWebhook(secret, timestamp, body),
        },
        body,
        timeoutMs: this.options.timeoutMs,
        signal: stopping,
        allowPrivate: this.config.webhookAllowPrivate,
      });
      outcome =
        status >= 200 && status < 300
          ? { delivered: true, httpStatus: status, error: null }
          : this.retryOrFail(work, status, `the endpoint answered HTTP ${status}`);
    } catch (error) {
      if (stopping.aborted) return this.store.release([claim]);
      const e = error as NodeJS.ErrnoException;
      const reason = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs / 1000} s` : e.code === 'EPRIVATEADDRESS' ? e.message : e.code ?? e.message;
      outcome = this.retryOrFail(work, null, reason);
    }
    const recorded = await this.store.record(claim, outcome);
    if (!recorded) return;
    if (outcome.delivered) this.counts.delivered++;
    else if (outcome.nextAttemptAt) this.counts.retried++;
    else {
      this.counts.failed++;
      this.logger.warn(`delivery ${claim.delivery_id} failed after ${work.attempts + 1} attempts: ${outcome.error}`);
    }
  }

  /** A secret sealed under another FORECOURT_SECRET (a database restored elsewhere) fails the attempt, visibly, like an unreachable endpoint. */
  private secret(claim: ClaimedDelivery, work: DeliveryWork): string {
    try {
      return this.box.open(work.secretSealed, secretContext(claim.dealer_id, claim.endpoint_id));
    } catch {
      throw new Error('the endpoint secret does not open with this FORECOURT_SECRET; rotate the secret');
    }
  }

  private retryOrFail(work: DeliveryWork, httpStatus: number | null, error: string): AttemptOutcome {
    const attempt = work.attempts + 1;
    if (attempt >= this.options.maxAttempts) return { delivered: false, httpStatus, error };
    return { delivered: false, httpStatus, error, nextAttemptAt: new Date(Date.now() + webhookRetryDelayMs(this.options.retryBaseMs, attempt)) };
  }
}
