import type { BatchResult, ChannelClient, ChannelDefinition, SendResult } from '@forecourt/sdk';
import { sendResultProblem } from '@forecourt/sdk';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { HealthService } from '../health/health.service';
import { PluginRegistry } from '../plugin-host/plugin-registry.service';
import { DEFAULT_DISPATCH_OPTIONS, DispatchOptions, retryDelayMs } from './dispatch.options';
import { BatchFile, DealerInfo, DispatchStore, Outcome, QueueEntry } from './dispatch.store';
import { GroupCommit } from './group-commit';
import { outgoingMessage, renderRequestFor } from './message-content';
import { MESSAGE_RENDERER, MessageRenderer, RenderedMessage } from './message-renderer';
import { MessageRow } from './message.types';
import { DISPATCH_NOTIFY_CHANNEL } from './outbox.service';
import { SendSlots } from './send-slots';
import { RateLimiter } from './token-bucket';
import { WorkerPresence } from './worker-presence';

interface Job {
  entry: QueueEntry;
  message: MessageRow;
}

export interface DrainOptions {
  /** Work due up to this instant is done (retries falling before it are waited for); default now. */
  until?: Date;
  /** Only these dealers' messages are waited for (and, when no loop runs here, claimed). */
  dealerIds?: string[];
  /** Gives up waiting after this long (work claimed by a stuck worker); default 10 minutes. */
  timeoutMs?: number;
}

export interface DispatchCounts {
  sent: number;
  failed: number;
  retried: number;
  unknown: number;
}

export interface DrainResult extends DispatchCounts {
  /** Queue rows due by `until` still there (claimed elsewhere, or the timeout came first). */
  remaining: number;
}

const OUTCOME_WRITE_TRIES = 6;
const DEALER_CACHE_MS = 60_000;

/** What a provider's thrown error means; the SDK's errors carry `sendStatus`, anything else is unknown. */
export function resultOfThrown(error: unknown): SendResult {
  const e = error as { sendStatus?: string; message?: string; retryAfterMs?: number };
  const reason = e?.message || String(error);
  if (e?.sendStatus === 'failed') return { status: 'failed', reason };
  if (e?.sendStatus === 'retry') return { status: 'retry', reason, retryAfterMs: e.retryAfterMs };
  return { status: 'unknown', reason };
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The dispatch loop. It claims due messages from the queue in batches, and for each: renders it,
 * marks it `sending` (committed before the provider is called), sends it, records the outcome.
 * Up to `concurrency` messages are under way at once, and per channel client no more than it
 * can really send at once (`maxInFlight`) plus as many marked to go next, so a process killed
 * in the middle leaves only those `sending`; they become `unknown` and are looked up if the
 * channel can, never resent blindly. Claims are `FOR UPDATE SKIP LOCKED` and the step to
 * `sending` is a guarded update, so any number of workers on one database send a message once.
 *
 * Runs in processes whose role is `all` or `worker`; `drain()` works in any process.
 */
@Injectable()
export class DispatchWorker implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Dispatch');
  private options: DispatchOptions = { ...DEFAULT_DISPATCH_OPTIONS };
  private presence?: WorkerPresence;
  private presenceStarting?: Promise<WorkerPresence>;
  private loopOn = false;
  private readonly drains = new Set<DrainOptions>();
  private stopping = false;
  private buffer: Job[] = [];
  private inFlight = 0;
  private readonly running = new Set<Job>();
  private claiming = false;
  private batching = false;
  private recovering = false;
  private nextClaimAt = 0;
  private nextBatchAt = 0;
  private nextRecoverAt = 0;
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private progressWaiters: (() => void)[] = [];
  private readonly limiter = new RateLimiter();
  /** Per channel client: a message becomes `sending` only when the client can start it soon (ChannelClient.maxInFlight). */
  private readonly slots = new SendSlots<ChannelClient>();
  private readonly clients = new Map<string, { client: Promise<ChannelClient>; at: number }>();
  private readonly dealerCache = new Map<string, { info: DealerInfo; at: number }>();
  private readonly counts: DispatchCounts = { sent: 0, failed: 0, retried: 0, unknown: 0 };
  /** Steps to `sending` share round trips: under load one commit serves many messages. */
  private readonly marks = new GroupCommit<{ dealerId: string; id: string }, boolean>(async (items) => {
    const marked = await this.store.settle(this.presence!, items, []);
    return items.map((i) => marked.has(i.id));
  }, {
    // Slots free one send at a time: a millisecond of company saves commits (CPU) without starving a connection.
    hold: (items) => this.buffer.length > 0 && items.length < this.group(),
    holdMs: 1,
  });
  /** Outcomes too, on a round trip of their own so a step to `sending` never waits behind them. */
  private readonly outcomes = new GroupCommit<Outcome, boolean>(async (items) => {
    await this.store.settle(this.presence!, [], items);
    return items.map(() => true);
  }, {
    // Wait briefly for company while more work is queued: fewer commits leave the CPU to sending.
    hold: (items) => this.buffer.length > 0 && items.length < this.group(),
    holdMs: 10,
  });
  private readonly releases = new GroupCommit<{ id: string; at?: Date }>(async (items) => {
    await this.store.release(this.presence!, items);
    return items.map(() => undefined);
  });

  constructor(
    private readonly store: DispatchStore,
    private readonly registry: PluginRegistry,
    private readonly health: HealthService,
    private readonly dataSource: DataSource,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
    @Inject(MESSAGE_RENDERER) private readonly renderer: MessageRenderer,
  ) {}

  onModuleInit(): void {
    this.health.register('queue', async () => ({
      status: 'up',
      ...(await this.store.queueCounts().then(({ pendingUntil: _, ...counts }) => counts)),
      workers: await this.store.liveWorkers(),
      thisProcess: { role: this.config.role, dispatching: this.loopOn, inFlight: this.inFlight },
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Changes pacing (tests shorten the waits; the bench raises nothing but the pool). */
  configure(options: Partial<DispatchOptions>): void {
    this.options = { ...this.options, ...options };
  }

  get settings(): Readonly<DispatchOptions> {
    return this.options;
  }

  /** Starts the background loop (done at boot unless the role is `api`). */
  async start(): Promise<void> {
    this.stopping = false;
    this.loopOn = true;
    await this.ensurePresence();
    this.pump();
  }

  /** Stops claiming, gives back what was claimed and not started, waits for sends under way. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.loopOn = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while ((this.inFlight || this.claiming || this.batching || this.recovering) && Date.now() < deadline) await sleep(20);
    const presence = this.presence;
    if (presence) {
      const unstarted = this.buffer.splice(0);
      await this.store.release(presence, unstarted.map((j) => ({ id: j.entry.message_id }))).catch(() => undefined);
      this.presence = undefined;
      this.presenceStarting = undefined;
      await presence.stop();
    }
    this.wakeWaiters();
  }

  /**
   * Dispatches everything due up to `until` (default now) and answers when none of it is left,
   * also waiting for work other workers have claimed. For tests and `POST /api/runs … wait`.
   */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    const until = options.until ?? new Date();
    const deadline = Math.max(Date.now(), until.getTime()) + (options.timeoutMs ?? 600_000);
    const before = { ...this.counts };
    this.stopping = false;
    await this.ensurePresence();
    this.drains.add(options);
    this.nextClaimAt = 0;
    this.nextBatchAt = 0;
    let remaining = 0;
    try {
      this.pump();
      // While this process has work of the drain's dealers under way, asking the database adds nothing.
      while (this.hasLocalWork(options.dealerIds) || (await this.store.hasPending(until, options.dealerIds))) {
        if (Date.now() > deadline) {
          remaining = (await this.store.queueCounts(until, options.dealerIds)).pendingUntil;
          break;
        }
        await Promise.all([sleep(25), this.waitForProgress(250)]);
      }
    } finally {
      this.drains.delete(options);
      if (!this.active() && this.presence) {
        const unstarted = this.buffer.splice(0);
        await this.store.release(this.presence, unstarted.map((j) => ({ id: j.entry.message_id }))).catch(() => undefined);
      }
    }
    return {
      sent: this.counts.sent - before.sent,
      failed: this.counts.failed - before.failed,
      retried: this.counts.retried - before.retried,
      unknown: this.counts.unknown - before.unknown,
      remaining,
    };
  }

  /** Looks for claims of dead or stalled workers now (also done at start and every `recoverEveryMs`). */
  async recoverNow(): Promise<{ unknown: number; requeued: number }> {
    const result = await this.store.recover(this.options.leaseMs);
    if (result.unknown || result.requeued) {
      this.logger.warn(`took back claims of stopped workers: ${result.unknown} message(s) now unknown, ${result.requeued} requeued`);
    }
    return result;
  }

  private async ensurePresence(): Promise<WorkerPresence> {
    if (this.presence) return this.presence;
    this.presenceStarting ??= (async () => {
      const url = (this.dataSource.options as { url?: string }).url;
      if (!url) throw new Error('dispatch needs the database URL');
      const presence = await WorkerPresence.start(url, DISPATCH_NOTIFY_CHANNEL, () => {
        this.nextClaimAt = 0;
        this.pump();
      });
      this.presence = presence;
      this.logger.log(`dispatch worker ${presence.id} ready`);
      await this.recoverNow().catch((error) => this.logger.error(`recovery failed: ${(error as Error).message}`));
      this.nextRecoverAt = Date.now() + this.options.recoverEveryMs;
      return presence;
    })();
    try {
      return await this.presenceStarting;
    } catch (error) {
      this.presenceStarting = undefined;
      throw error;
    }
  }

  private active(): boolean {
    return !this.stopping && (this.loopOn || this.drains.size > 0);
  }

  private pollMs(): number {
    return this.drains.size ? 50 : this.options.pollMs;
  }

  /** Dealers to claim for: all while the loop runs or a drain is unscoped, else the drains' dealers. */
  private claimScope(): string[] | undefined {
    if (this.loopOn) return undefined;
    const scopes = [...this.drains];
    if (scopes.some((d) => !d.dealerIds)) return undefined;
    return [...new Set(scopes.flatMap((d) => d.dealerIds!))];
  }

  private pump(): void {
    if (!this.presence || !this.active()) return;
    // Jobs start in groups, so their steps to `sending` share a commit instead of taking one each.
    const group = Math.min(this.buffer.length, this.group());
    if (this.options.concurrency - this.inFlight >= group) {
      while (this.inFlight < this.options.concurrency && this.buffer.length) this.begin(this.buffer.shift()!);
    }
    const now = Date.now();
    if (!this.claiming && this.buffer.length < this.options.concurrency && now >= this.nextClaimAt) void this.claimMore();
    if (!this.batching && now >= this.nextBatchAt) void this.runBatches();
    if (!this.recovering && now >= this.nextRecoverAt) void this.recoverLater();
    this.schedule();
  }

  private schedule(): void {
    const at = Math.min(this.nextClaimAt, this.nextBatchAt, this.nextRecoverAt);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(5, at - Date.now()));
    this.timer.unref();
  }

  private async claimMore(): Promise<void> {
    this.claiming = true;
    const presence = this.presence!;
    try {
      const entries = await this.store.claim(presence, this.options.claimBatch, this.claimScope());
      this.nextClaimAt = entries.length < this.options.claimBatch ? Date.now() + this.pollMs() : 0;
      const jobs = entries.length ? await this.loadJobs(entries) : [];
      if (this.active()) this.buffer.push(...jobs);
      else await this.store.release(presence, jobs.map((j) => ({ id: j.entry.message_id })));
    } catch (error) {
      this.logger.error(`claiming failed: ${(error as Error).message}`);
      this.nextClaimAt = Date.now() + this.options.pollMs;
    } finally {
      this.claiming = false;
      this.wakeWaiters();
      this.pump();
    }
  }

  /** Reads the claimed messages; entries whose message was settled meanwhile are dropped. */
  private async loadJobs(entries: QueueEntry[]): Promise<Job[]> {
    const presence = this.presence!;
    const rows = await this.store.load(entries);
    await this.dealers([...new Set(entries.map((e) => e.dealer_id))]);
    const jobs: Job[] = [];
    const stale: string[] = [];
    for (const entry of entries) {
      const message = rows.get(entry.message_id);
      const expected = entry.kind === 'send' ? 'queued' : 'unknown';
      if (message?.status === expected) jobs.push({ entry, message });
      else stale.push(entry.message_id);
    }
    await this.store.drop(presence, stale);
    return jobs;
  }

  /** Jobs started together. */
  private group(): number {
    return Math.ceil(this.options.concurrency / 4);
  }

  private hasLocalWork(dealerIds?: string[]): boolean {
    const ours = (job: Job) => !dealerIds || dealerIds.includes(job.entry.dealer_id);
    return this.buffer.some(ours) || [...this.running].some(ours);
  }

  private begin(job: Job): void {
    this.inFlight++;
    this.running.add(job);
    const work = job.entry.kind === 'send' ? this.send(job) : this.reconcile(job);
    work
      .catch((error) => this.logger.error(`message ${job.message.id}: ${(error as Error).message}`))
      .finally(() => {
        this.inFlight--;
        this.running.delete(job);
        this.wakeWaiters();
        this.pump();
      });
  }

  private async send(job: Job): Promise<void> {
    const m = job.message;
    const channel = this.registry.channel(m.channel);
    if (!channel) return this.notSendableYet(m, `no enabled plugin provides the channel "${m.channel}"`);
    const wait = this.limiter.take(`${m.channel}:${m.dealer_id}`, channel.definition.rateLimitPerSecond, m.id);
    if (wait > 0) return this.releases.add({ id: m.id, at: new Date(Date.now() + wait) });
    let client: ChannelClient;
    try {
      client = await this.client(m.channel, m.dealer_id);
    } catch (error) {
      return this.notSendableYet(m, `the ${m.channel} channel could not be set up: ${(error as Error).message}`);
    }
    if (!client.send) return this.settle({ ...this.base(m, 'queued'), status: 'failed', reason: `the ${m.channel} channel sends only in batches`, queue: 'delete' });
    let rendered: RenderedMessage;
    try {
      rendered = await this.renderer.render(renderRequestFor(m));
    } catch (error) {
      return this.settle({ ...this.base(m, 'queued'), status: 'failed', reason: `rendering failed: ${(error as Error).message}`, queue: 'delete' });
    }
    const outgoing = outgoingMessage(m, rendered, this.dealerCache.get(m.dealer_id)?.info, this.config.mailFrom);
    // One more per connection marked ahead, so no connection idles while a step to `sending` commits.
    const limit = client.maxInFlight && 2 * client.maxInFlight;
    await this.slots.take(client, limit);
    let result: SendResult;
    try {
      const marked = await this.marks.add({ dealerId: m.dealer_id, id: m.id }).catch((error) => {
        this.logger.error(`marking ${m.id} as sending failed: ${(error as Error).message}`);
        return false;
      });
      if (!marked) return this.releases.add({ id: m.id }).catch(() => undefined);
      const send = client.send.bind(client);
      result = await withTimeout(
        Promise.resolve()
          .then(() => send(outgoing, { idempotencyKey: m.id }))
          .catch(resultOfThrown),
        this.options.sendTimeoutMs,
        (): SendResult => ({ status: 'unknown', reason: `no answer from the ${m.channel} channel after ${this.options.sendTimeoutMs / 1000}s` }),
      );
    } finally {
      this.slots.release(client, limit);
    }
    await this.settle(this.outcomeOf(m, m.attempts + 1, result, channel.definition, client, rendered.subject));
  }

  /** The SendResult of a message marked `sending`, as an outcome to write. */
  private outcomeOf(m: MessageRow, attempt: number, result: SendResult, definition: ChannelDefinition<any>, client: ChannelClient, subject?: string, units?: number): Outcome {
    const problem = sendResultProblem(result);
    if (problem) result = { status: 'unknown', reason: `the ${m.channel} channel answered something else than a send result: ${problem}` };
    const base = { ...this.base(m, 'sending'), subject };
    switch (result.status) {
      case 'sent': {
        const n = result.units ?? units ?? 1;
        return {
          ...base,
          status: 'sent',
          providerId: result.providerId,
          units: n,
          costCents: result.costCents ?? n * definition.unitCostCents,
          sandbox: Boolean(result.sandbox),
          queue: 'delete',
        };
      }
      case 'failed':
        return { ...base, status: 'failed', reason: result.reason, queue: 'delete' };
      case 'retry':
        if (attempt >= this.options.maxAttempts) {
          return { ...base, status: 'failed', reason: `gave up after ${attempt} attempts: ${result.reason}`, queue: 'delete' };
        }
        return {
          ...base,
          status: 'queued',
          reason: result.reason,
          nextAttemptAt: new Date(Date.now() + retryDelayMs(this.options, attempt, result.retryAfterMs)),
          queue: 'retry',
        };
      case 'unknown':
        return {
          ...base,
          status: 'unknown',
          reason: result.reason,
          nextAttemptAt: new Date(Date.now() + this.options.retryBaseMs),
          queue: client.lookup ? 'reconcile' : 'delete',
        };
    }
  }

  private base(m: MessageRow, from: Outcome['from']): Pick<Outcome, 'dealerId' | 'id' | 'channel' | 'from'> {
    return { dealerId: m.dealer_id, id: m.id, channel: m.channel, from };
  }

  /** Nothing was sent and it may work later (no plugin yet, the client cannot be built): an attempt, then backoff. */
  private notSendableYet(m: MessageRow, reason: string): Promise<void> {
    const attempt = m.attempts + 1;
    if (attempt >= this.options.maxAttempts) {
      return this.settle({ ...this.base(m, 'queued'), status: 'failed', reason: `gave up after ${attempt} attempts: ${reason}`, attempt: 1, queue: 'delete' });
    }
    return this.settle({
      ...this.base(m, 'queued'),
      status: 'queued',
      reason,
      attempt: 1,
      nextAttemptAt: new Date(Date.now() + retryDelayMs(this.options, attempt)),
      queue: 'retry',
    });
  }

  /** An unknown outcome asked of the provider by idempotency key. */
  private async reconcile(job: Job): Promise<void> {
    const m = job.message;
    const presence = this.presence!;
    let client: ChannelClient | undefined;
    try {
      client = this.registry.channel(m.channel) ? await this.client(m.channel, m.dealer_id) : undefined;
    } catch {
      client = undefined;
    }
    if (!client?.lookup) return this.store.drop(presence, [m.id]);
    const lookup = client.lookup.bind(client);
    let found: SendResult | undefined | 'unanswered';
    try {
      found = await withTimeout<SendResult | undefined | 'unanswered'>(lookup(m.id), this.options.sendTimeoutMs, () => 'unanswered');
    } catch {
      found = 'unanswered';
    }
    if (found === undefined) {
      return this.settle({ ...this.base(m, 'unknown'), status: 'queued', reason: 'the provider never got it; sending again', nextAttemptAt: new Date(), queue: 'retry' });
    }
    if (found !== 'unanswered' && (found.status === 'sent' || found.status === 'failed')) {
      const definition = this.registry.channel(m.channel)!.definition;
      const outcome = this.outcomeOf(m, m.attempts, found, definition, client);
      return this.settle({ ...outcome, from: 'unknown' });
    }
    if (job.entry.attempts + 1 >= this.options.maxLookups) return this.store.drop(presence, [m.id]);
    return this.settle({
      ...this.base(m, 'unknown'),
      status: 'unknown',
      reason: m.status_reason ?? undefined,
      nextAttemptAt: new Date(Date.now() + retryDelayMs(this.options, job.entry.attempts + 1)),
      queue: 'reconcile',
    });
  }

  /** Writes an outcome; a database hiccup is retried, as a send recorded late beats one left `sending`. */
  private async settle(outcome: Outcome, files?: BatchFile[]): Promise<void> {
    await this.settleMany([outcome], files);
  }

  private async settleMany(outcomes: Outcome[], files?: BatchFile[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (files?.length) await this.store.record(this.presence!, outcomes, files);
        else await Promise.all(outcomes.map((outcome) => this.outcomes.add(outcome)));
        break;
      } catch (error) {
        if (attempt >= OUTCOME_WRITE_TRIES) {
          this.logger.error(`recording ${outcomes.length} outcome(s) failed: ${(error as Error).message}; they stay sending until recovery`);
          return;
        }
        await sleep(200 * 2 ** attempt);
      }
    }
    for (const o of outcomes) {
      if (o.status === 'sent') this.counts.sent++;
      else if (o.status === 'failed') this.counts.failed++;
      else if (o.status === 'unknown' && o.from === 'sending') this.counts.unknown++;
      else if (o.status === 'queued' && o.from !== 'unknown') this.counts.retried++;
    }
  }

  private async runBatches(): Promise<void> {
    this.batching = true;
    try {
      const batched = this.registry.channels().filter((c) => c.definition.batched);
      const groups = batched.length ? await this.store.dueBatches(this.drains.size ? 0 : this.options.batchSettleMs, this.claimScope()) : [];
      for (const group of groups) {
        if (!this.active()) break;
        const entries = await this.store.claimBatch(this.presence!, group, this.options.batchMax);
        if (entries.length) await this.sendBatch(group.channel, group.batch_date, await this.loadJobs(entries));
      }
      this.nextBatchAt = groups.length ? 0 : Date.now() + this.pollMs();
    } catch (error) {
      this.logger.error(`batch dispatch failed: ${(error as Error).message}`);
      this.nextBatchAt = Date.now() + this.options.pollMs;
    } finally {
      this.batching = false;
      this.wakeWaiters();
      this.pump();
    }
  }

  /** One dealer's day of a batched channel: one sendBatch call, its files kept with the outcomes. */
  private async sendBatch(channelName: string, date: string, jobs: Job[]): Promise<void> {
    if (!jobs.length) return;
    const dealerId = jobs[0].message.dealer_id;
    const channel = this.registry.channel(channelName);
    if (!channel) {
      for (const j of jobs) await this.notSendableYet(j.message, `no enabled plugin provides the channel "${channelName}"`);
      return;
    }
    let client: ChannelClient;
    try {
      client = await this.client(channelName, dealerId);
    } catch (error) {
      for (const j of jobs) await this.notSendableYet(j.message, `the ${channelName} channel could not be set up: ${(error as Error).message}`);
      return;
    }
    if (!client.sendBatch) {
      const reason = `the ${channelName} channel is batched but cannot send a batch`;
      await this.settleMany(jobs.map((j) => ({ ...this.base(j.message, 'queued'), status: 'failed', reason, queue: 'delete' })));
      return;
    }
    const dealer = this.dealerCache.get(dealerId)?.info;
    const ready: { m: MessageRow; rendered: RenderedMessage }[] = [];
    const unrenderable: Outcome[] = [];
    for (const { message: m } of jobs) {
      try {
        ready.push({ m, rendered: await this.renderer.render(renderRequestFor(m)) });
      } catch (error) {
        unrenderable.push({ ...this.base(m, 'queued'), status: 'failed', reason: `rendering failed: ${(error as Error).message}`, queue: 'delete' });
      }
    }
    if (unrenderable.length) await this.settleMany(unrenderable);
    const marked = await this.store.markSending(this.presence!, ready.map(({ m }) => ({ dealerId, id: m.id })));
    const sending = ready.filter(({ m }) => marked.has(m.id));
    await this.store.release(this.presence!, ready.filter(({ m }) => !marked.has(m.id)).map(({ m }) => ({ id: m.id })));
    if (!sending.length) return;
    const sendBatch = client.sendBatch.bind(client);
    const outgoing = sending.map(({ m, rendered }) => outgoingMessage(m, rendered, dealer, this.config.mailFrom));
    let batch: BatchResult;
    try {
      batch = await sendBatch(outgoing, { date });
    } catch (error) {
      const result = resultOfThrown(error);
      batch = { results: Object.fromEntries(sending.map(({ m }) => [m.id, result])), artifacts: [] };
    }
    const fileOf = new Map<string, { fileId: string; pages: number }>();
    const files: BatchFile[] = (batch?.artifacts ?? []).map((artifact) => {
      const id = randomUUID();
      for (const x of artifact.messages) fileOf.set(x.id, { fileId: id, pages: x.pages });
      return { id, dealerId, date, costCents: 0, fileName: artifact.fileName, contentType: artifact.contentType, content: artifact.content, messages: artifact.messages };
    });
    const outcomes = sending.map(({ m, rendered }) => {
      const result: SendResult = batch?.results?.[m.id] ?? { status: 'unknown', reason: `the ${channelName} batch gave no result for this message` };
      const file = fileOf.get(m.id);
      const outcome = this.outcomeOf(m, m.attempts + 1, result, channel.definition, client, rendered.subject, file?.pages);
      if (outcome.status === 'sent' && file) outcome.providerId ??= file.fileId;
      return outcome;
    });
    for (const file of files) {
      const ids = new Set(file.messages.map((x) => x.id));
      file.costCents = outcomes.filter((o) => ids.has(o.id) && o.status === 'sent').reduce((sum, o) => sum + (o.costCents ?? 0), 0);
    }
    await this.settleMany(outcomes, files);
  }

  private async recoverLater(): Promise<void> {
    this.recovering = true;
    try {
      await this.recoverNow();
    } catch (error) {
      this.logger.error(`recovery failed: ${(error as Error).message}`);
    } finally {
      this.nextRecoverAt = Date.now() + this.options.recoverEveryMs;
      this.recovering = false;
      this.pump();
    }
  }

  private client(channel: string, dealerId: string): Promise<ChannelClient> {
    const key = `${channel}:${dealerId}`;
    const cached = this.clients.get(key);
    if (cached && Date.now() - cached.at < this.options.clientCacheMs) return cached.client;
    const client = this.registry.clientFor(channel, dealerId);
    this.clients.set(key, { client, at: Date.now() });
    client.catch(() => this.clients.delete(key));
    return client;
  }

  private async dealers(ids: string[]): Promise<void> {
    const now = Date.now();
    const missing = ids.filter((id) => (this.dealerCache.get(id)?.at ?? 0) < now - DEALER_CACHE_MS);
    if (!missing.length) return;
    for (const info of await this.store.dealers(missing)) this.dealerCache.set(info.id, { info, at: now });
  }

  private waitForProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiters = this.progressWaiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private wakeWaiters(): void {
    for (const wake of this.progressWaiters.splice(0)) wake();
  }
}
