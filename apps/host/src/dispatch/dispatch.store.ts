import { Injectable } from '@nestjs/common';
import { escapeLiteral, Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { MessageRow } from './message.types';
import { LIVE_WORKER_KEYS } from './worker-presence';

/** A claimed row of dispatch_queue. */
export interface QueueEntry {
  message_id: string;
  dealer_id: string;
  channel: string;
  kind: 'send' | 'reconcile';
  /** Lookups so far, for reconcile entries. */
  attempts: number;
}

export interface Claimer {
  id: string;
  key: number;
}

/** Where a message was when its outcome came: guards the update against a claim that was lost. */
export type OutcomeFrom = 'queued' | 'sending' | 'unknown';

/** What to write for one message after a send, a lookup, or a problem before the send. */
export interface Outcome {
  dealerId: string;
  id: string;
  channel: string;
  from: OutcomeFrom;
  status: 'sent' | 'failed' | 'queued' | 'unknown';
  reason?: string;
  providerId?: string;
  costCents?: number;
  units?: number;
  sandbox?: boolean;
  subject?: string;
  /** When a message goes back to the queue (a retry, a resend after a lookup, a later lookup). */
  nextAttemptAt?: Date;
  /** Attempts to add (the send's own attempt was counted when it was marked `sending`). */
  attempt?: number;
  /** What becomes of the queue row. */
  queue: 'delete' | 'retry' | 'reconcile';
}

/** A batched channel's file as it is stored (dispatch_files), with its messages' share of the cost. */
export interface BatchFile {
  id: string;
  dealerId: string;
  date: string;
  costCents: number;
  fileName: string;
  contentType: string;
  content: Buffer;
  messages: { id: string; pages: number }[];
}

export interface DealerInfo {
  id: string;
  name: string;
  sender_name: string | null;
  sender_email: string | null;
  email: string | null;
  phone: string | null;
  address: { street?: string; postalCode?: string; city?: string; country?: string } | null;
}

const MESSAGE_COLUMNS = `dealer_id, id, customer_id, vehicle_ids, channel, service_key, step, template, locale, brand_id, recipient, data,
  subject, status, status_reason, attempts, send_on, sandbox, created_at`;

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** A parameter as an SQL literal, for statements sent several at once (simple query protocol). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a number literal: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return escapeLiteral(`{${value.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  if (typeof value === 'object') return escapeLiteral(JSON.stringify(value));
  return escapeLiteral(String(value));
}

function inline(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
}

/**
 * The dispatch worker's SQL. dispatch_queue (ids only, no row-level security) is claimed across
 * dealers; messages are only read and written in transactions where the dealer is set, one
 * dealer after the other within a transaction when a batch spans several. Statements that
 * answer rows are SELECTs (an UPDATE … RETURNING sits in a CTE): TypeORM answers a top-level
 * UPDATE with [rows, count].
 */
@Injectable()
export class DispatchStore {
  constructor(private readonly dataSource: DataSource) {}

  /** TypeORM's pg pool: the hot path skips TypeORM's per-query work. */
  private get pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /**
   * Statements of several dealers, each dealer's after setting that dealer for row-level
   * security, sent as one query string: PostgreSQL runs it as one implicit transaction (all or
   * nothing; the dealer setting ends with it), and the worker waits for one round trip instead of
   * four per dealer. Parameters are inlined as escaped literals (the simple query protocol has
   * none). Answers the rows of each statement, in order. `durable: false` does not wait for the
   * commit to reach the disk.
   */
  private async oneTrip<T>(parts: { dealerId: string; statements: { sql: string; params: unknown[] }[] }[], durable = true): Promise<T[][]> {
    const sql: string[] = durable ? [] : ['SET LOCAL synchronous_commit TO off'];
    const answers: number[] = [];
    for (const part of parts) {
      sql.push(`SELECT set_config('forecourt.dealer_id', ${literal(part.dealerId)}, true)`);
      for (const statement of part.statements) {
        answers.push(sql.length);
        sql.push(inline(statement.sql, statement.params));
      }
    }
    if (!answers.length) return [];
    const results = (await this.pool.query(sql.join(';\n'))) as unknown;
    const list = (Array.isArray(results) ? results : [results]) as { rows: T[] }[];
    return answers.map((i) => list[i].rows);
  }

  /** Claims due single sends and lookups, oldest first; several workers never get the same row. */
  async claim(claimer: Claimer, limit: number, dealerIds?: string[]): Promise<QueueEntry[]> {
    return this.rows(
      `WITH picked AS (
         SELECT message_id FROM dispatch_queue
          WHERE claimed_by IS NULL AND batch_date IS NULL AND next_attempt_at <= now()
            AND ($4::uuid[] IS NULL OR dealer_id = ANY($4::uuid[]))
          ORDER BY next_attempt_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE dispatch_queue q SET claimed_by = $1, claim_key = $2, claimed_at = now()
           FROM picked WHERE q.message_id = picked.message_id
         RETURNING q.message_id, q.dealer_id, q.channel, q.kind, q.attempts
       )
       SELECT * FROM claimed`,
      [claimer.id, claimer.key, limit, dealerIds ?? null],
    );
  }

  /** The days of batched channels whose messages are due and that no new message joined for `settleMs`. */
  async dueBatches(settleMs: number, dealerIds?: string[]): Promise<{ dealer_id: string; channel: string; batch_date: string }[]> {
    return this.dataSource.query(
      `SELECT dealer_id, channel, batch_date FROM dispatch_queue
        WHERE claimed_by IS NULL AND batch_date IS NOT NULL AND next_attempt_at <= now()
          AND ($2::uuid[] IS NULL OR dealer_id = ANY($2::uuid[]))
        GROUP BY dealer_id, channel, batch_date
       HAVING max(enqueued_at) <= now() - $1 * interval '1 millisecond'
        ORDER BY min(next_attempt_at)
        LIMIT 20`,
      [settleMs, dealerIds ?? null],
    );
  }

  /**
   * Claims one dealer's day of a batched channel. The advisory lock keeps a second worker from
   * taking the other half of the same day at the same moment (it would print two files).
   */
  async claimBatch(claimer: Claimer, group: { dealer_id: string; channel: string; batch_date: string }, limit: number): Promise<QueueEntry[]> {
    return this.dataSource.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(74211, hashtext($1 || $2 || $3)) AS locked`, [
        group.dealer_id,
        group.channel,
        group.batch_date,
      ]);
      if (!locked) return [];
      return m.query(
        `WITH picked AS (
           SELECT message_id FROM dispatch_queue
            WHERE dealer_id = $3 AND channel = $4 AND batch_date = $5 AND claimed_by IS NULL AND next_attempt_at <= now()
            ORDER BY enqueued_at
            LIMIT $6
            FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE dispatch_queue q SET claimed_by = $1, claim_key = $2, claimed_at = now()
             FROM picked WHERE q.message_id = picked.message_id
           RETURNING q.message_id, q.dealer_id, q.channel, q.kind, q.attempts
         )
         SELECT * FROM claimed`,
        [claimer.id, claimer.key, group.dealer_id, group.channel, group.batch_date, limit],
      );
    });
  }

  /** The messages of claimed entries, read dealer by dealer. */
  async load(entries: QueueEntry[]): Promise<Map<string, MessageRow>> {
    const found = new Map<string, MessageRow>();
    const parts = [...groupBy(entries, (e) => e.dealer_id)].map(([dealerId, items]) => ({
      dealerId,
      statements: [{ sql: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE dealer_id = $1 AND id = ANY($2::uuid[])`, params: [dealerId, items.map((e) => e.message_id)] }],
    }));
    for (const rows of await this.oneTrip<MessageRow>(parts)) for (const row of rows) found.set(row.id, row);
    return found;
  }

  async dealers(ids: string[]): Promise<DealerInfo[]> {
    return this.dataSource.query('SELECT id, name, sender_name, sender_email, email, phone, address FROM dealers WHERE id = ANY($1::uuid[])', [ids]);
  }

  /**
   * One round trip of the send loop: writes the outcomes of finished sends and marks the next
   * messages queued → sending, for all their dealers at once.
   *
   * The step to `sending` is committed (to disk) before the provider is called, and only the
   * worker holding the queue claim can take it, once: the answer holds the ids this worker may
   * send. A commit with outcomes alone does not wait for the disk: an outcome lost in a database
   * crash leaves its message `sending`, which recovery turns into `unknown`, never into a second
   * send.
   */
  async settle(claimer: Claimer, marks: { dealerId: string; id: string }[], outcomes: Outcome[]): Promise<Set<string>> {
    const dealers = new Set([...marks.map((m) => m.dealerId), ...outcomes.map((o) => o.dealerId)]);
    const markBy = groupBy(marks, (m) => m.dealerId);
    const outcomeBy = groupBy(outcomes, (o) => o.dealerId);
    const parts = [...dealers].map((dealerId) => {
      const statements: { sql: string; params: unknown[] }[] = [];
      const done = outcomeBy.get(dealerId);
      if (done) statements.push(this.outcomesStatement(claimer, dealerId, done));
      const next = markBy.get(dealerId);
      if (next) {
        statements.push({
          sql: `WITH marked AS (
                  UPDATE messages m SET status = 'sending', claimed_by = $2, claimed_at = now(), attempts = m.attempts + 1, updated_at = now()
                    FROM dispatch_queue q
                   WHERE m.dealer_id = $1 AND m.id = ANY($3::uuid[]) AND m.status = 'queued'
                     AND q.message_id = m.id AND q.claimed_by = $2
                   RETURNING m.id
                )
                SELECT id FROM marked`,
          params: [dealerId, claimer.id, next.map((g) => g.id)],
        });
      }
      return { dealerId, statements };
    });
    const answers = await this.oneTrip<{ id: string }>(parts, marks.length > 0);
    const marked = new Set<string>();
    let i = 0;
    for (const dealerId of dealers) {
      if (outcomeBy.has(dealerId)) i++;
      if (markBy.has(dealerId)) for (const row of answers[i++]) marked.add(row.id);
    }
    return marked;
  }

  /** Marks claimed messages queued → sending (committed before any provider call); answers the ids this worker may send. */
  markSending(claimer: Claimer, marks: { dealerId: string; id: string }[]): Promise<Set<string>> {
    return marks.length ? this.settle(claimer, marks, []) : Promise.resolve(new Set());
  }

  /** Writes outcomes (with a batch's files, if any). */
  async record(claimer: Claimer, outcomes: Outcome[], files?: BatchFile[]): Promise<void> {
    if (!outcomes.length) return;
    if (files?.length) await this.recordBatch(claimer, outcomes, files);
    else await this.settle(claimer, [], outcomes);
  }

  /** Runs `work` for each dealer's group in one transaction, with that dealer set for row-level security. */
  async perDealer<T>(groups: Map<string, T[]>, work: (m: EntityManager, dealerId: string, group: T[]) => Promise<void>): Promise<void> {
    if (!groups.size) return;
    await this.dataSource.transaction(async (m) => {
      for (const [dealerId, group] of groups) {
        await m.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [dealerId]);
        await work(m, dealerId, group);
      }
    });
  }

  /** Writes a batch's outcomes and its files in one transaction. */
  async recordBatch(claimer: Claimer, outcomes: Outcome[], files: BatchFile[]): Promise<void> {
    await this.perDealer(groupBy(outcomes, (o) => o.dealerId), async (m, dealerId, group) => {
      for (const file of files.filter((f) => f.dealerId === dealerId)) {
        const pages = file.messages.reduce((sum, x) => sum + x.pages, 0);
        await m.query(
          `INSERT INTO dispatch_files (dealer_id, id, channel, date, file_name, content_type, content, pages, message_ids, cost_cents)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10)`,
          [dealerId, file.id, group[0].channel, file.date, file.fileName, file.contentType, file.content, pages, file.messages.map((x) => x.id), file.costCents],
        );
      }
      await this.writeOutcomes(m, claimer, dealerId, group);
    });
  }

  private async writeOutcomes(m: EntityManager, claimer: Claimer, dealerId: string, outcomes: Outcome[]): Promise<void> {
    const { sql, params } = this.outcomesStatement(claimer, dealerId, outcomes);
    await m.query(sql, params);
  }

  private outcomesStatement(claimer: Claimer, dealerId: string, outcomes: Outcome[]): { sql: string; params: unknown[] } {
    const rows = outcomes.map((o) => ({
      id: o.id,
      channel: o.channel,
      from_status: o.from,
      status: o.status,
      reason: o.reason?.slice(0, 1000) ?? null,
      provider_id: o.providerId ?? null,
      cost_cents: o.costCents ?? null,
      units: o.units ?? null,
      sandbox: o.sandbox ?? null,
      subject: o.subject ?? null,
      next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
      attempt: o.attempt ?? 0,
      queue: o.queue,
    }));
    return {
      sql: `WITH v AS (
         SELECT * FROM jsonb_to_recordset($3::jsonb) AS v(id uuid, channel text, from_status text, status text, reason text,
           provider_id text, cost_cents int, units int, sandbox boolean, subject text, next_attempt_at timestamptz, attempt int, queue text)
       ), up AS (
         UPDATE messages m SET status = v.status, status_reason = v.reason,
                provider_id = coalesce(v.provider_id, m.provider_id),
                cost_cents = coalesce(v.cost_cents, m.cost_cents),
                units = coalesce(v.units, m.units),
                sandbox = coalesce(v.sandbox, m.sandbox),
                subject = coalesce(m.subject, v.subject),
                next_attempt_at = coalesce(v.next_attempt_at, m.next_attempt_at),
                attempts = m.attempts + v.attempt,
                sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE m.sent_at END,
                updated_at = now()
           FROM v
          WHERE m.dealer_id = $1 AND m.id = v.id
            AND ((v.from_status = 'sending' AND m.status IN ('sending', 'unknown') AND m.claimed_by = $2)
              OR (v.from_status IN ('queued', 'unknown') AND m.status = v.from_status
                  AND EXISTS (SELECT 1 FROM dispatch_queue q WHERE q.message_id = m.id AND q.claimed_by = $2)))
          RETURNING m.id
       ), gone AS (
         DELETE FROM dispatch_queue q USING v WHERE q.message_id = v.id AND q.claimed_by = $2 AND v.queue = 'delete'
       ), again AS (
         UPDATE dispatch_queue q
            SET claimed_by = NULL, claim_key = NULL, claimed_at = NULL, next_attempt_at = coalesce(v.next_attempt_at, now()),
                kind = CASE WHEN v.queue = 'reconcile' THEN 'reconcile' ELSE 'send' END,
                attempts = CASE WHEN v.queue = 'reconcile' AND q.kind = 'reconcile' THEN q.attempts + 1
                                WHEN v.queue = 'reconcile' THEN 0 ELSE q.attempts END
           FROM v WHERE q.message_id = v.id AND q.claimed_by = $2 AND v.queue IN ('retry', 'reconcile')
       ), refs AS (
         INSERT INTO provider_refs (channel, provider_id, dealer_id, message_id)
         SELECT v.channel, v.provider_id, $1, v.id FROM v JOIN up ON up.id = v.id
          WHERE v.status = 'sent' AND v.provider_id IS NOT NULL
         ON CONFLICT DO NOTHING
       )
       SELECT count(*)::int AS updated FROM up`,
      params: [dealerId, claimer.id, JSON.stringify(rows)],
    };
  }

  /** Gives claims back to the queue (not started, or put off for a rate limit), at `at` if given. */
  async release(claimer: Claimer, entries: { id: string; at?: Date }[]): Promise<void> {
    if (!entries.length) return;
    await this.pool.query(
      `UPDATE dispatch_queue q SET claimed_by = NULL, claim_key = NULL, claimed_at = NULL, next_attempt_at = coalesce(v.at, q.next_attempt_at)
         FROM jsonb_to_recordset($2::jsonb) AS v(id uuid, at timestamptz)
        WHERE q.message_id = v.id AND q.claimed_by = $1`,
      [claimer.id, JSON.stringify(entries.map((e) => ({ id: e.id, at: e.at?.toISOString() ?? null })))],
    );
  }

  /** Drops queue rows that have nothing left to do (the message was settled elsewhere). */
  async drop(claimer: Claimer, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.pool.query('DELETE FROM dispatch_queue WHERE message_id = ANY($1::uuid[]) AND claimed_by = $2', [ids, claimer.id]);
  }

  /**
   * Claims of workers that are gone (their presence lock is released) or that held them past the
   * lease. A message such a worker had marked `sending` may or may not have gone out: it becomes
   * `unknown` and is queued for a lookup, never for a send. Claimed messages it had not started
   * go back to the queue. Answers how many became unknown and how many were requeued.
   */
  async recover(leaseMs: number, limit = 1000): Promise<{ unknown: number; requeued: number }> {
    let unknown = 0;
    let requeued = 0;
    await this.dataSource.transaction(async (m) => {
      const stale: { message_id: string; dealer_id: string; kind: string }[] = await m.query(
        `SELECT message_id, dealer_id, kind FROM dispatch_queue
          WHERE claimed_by IS NOT NULL
            AND (claimed_at < now() - $1 * interval '1 millisecond' OR claim_key <> ALL (ARRAY(${LIVE_WORKER_KEYS})))
          ORDER BY claimed_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [leaseMs, limit],
      );
      if (!stale.length) return;
      const settle: { id: string; action: 'reconcile' | 'release' | 'delete' }[] = [];
      for (const [dealerId, group] of groupBy(stale, (s) => s.dealer_id)) {
        await m.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [dealerId]);
        const rows: { id: string; before: string | null; now_unknown: boolean }[] = await m.query(
          `WITH s AS (SELECT unnest($2::uuid[]) AS id),
           u AS (
             UPDATE messages m SET status = 'unknown', updated_at = now(),
                    status_reason = 'the worker sending it stopped or stalled before it knew the outcome'
               FROM s WHERE m.dealer_id = $1 AND m.id = s.id AND m.status = 'sending'
             RETURNING m.id
           )
           SELECT s.id, m.status AS before, u.id IS NOT NULL AS now_unknown
             FROM s LEFT JOIN u ON u.id = s.id LEFT JOIN messages m ON m.dealer_id = $1 AND m.id = s.id`,
          [dealerId, group.map((g) => g.message_id)],
        );
        const kinds = new Map(group.map((g) => [g.message_id, g.kind]));
        for (const row of rows) {
          if (row.now_unknown) {
            unknown++;
            settle.push({ id: row.id, action: 'reconcile' });
          } else if (row.before === 'queued' && kinds.get(row.id) === 'send') {
            requeued++;
            settle.push({ id: row.id, action: 'release' });
          } else if (row.before === 'unknown' && kinds.get(row.id) === 'reconcile') {
            settle.push({ id: row.id, action: 'release' });
          } else {
            settle.push({ id: row.id, action: 'delete' });
          }
        }
      }
      await m.query(
        `WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, action text)),
         gone AS (DELETE FROM dispatch_queue q USING v WHERE q.message_id = v.id AND v.action = 'delete')
         UPDATE dispatch_queue q SET claimed_by = NULL, claim_key = NULL, claimed_at = NULL,
                kind = CASE WHEN v.action = 'reconcile' THEN 'reconcile' ELSE q.kind END,
                attempts = CASE WHEN v.action = 'reconcile' THEN 0 ELSE q.attempts END,
                next_attempt_at = CASE WHEN v.action = 'reconcile' THEN now() ELSE q.next_attempt_at END
           FROM v WHERE q.message_id = v.id AND v.action <> 'delete'`,
        [JSON.stringify(settle)],
      );
    });
    return { unknown, requeued };
  }

  /** Due, scheduled and claimed work, for /health and for drain(). */
  async queueCounts(until?: Date, dealerIds?: string[]): Promise<{
    due: number;
    scheduled: number;
    claimed: number;
    reconciling: number;
    oldestDueSeconds: number | null;
    pendingUntil: number;
  }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE claimed_by IS NULL AND next_attempt_at <= now())::int AS due,
              count(*) FILTER (WHERE claimed_by IS NULL AND next_attempt_at > now())::int AS scheduled,
              count(*) FILTER (WHERE claimed_by IS NOT NULL)::int AS claimed,
              count(*) FILTER (WHERE kind = 'reconcile')::int AS reconciling,
              extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE claimed_by IS NULL AND next_attempt_at <= now()))::float AS oldest,
              count(*) FILTER (WHERE next_attempt_at <= coalesce($1::timestamptz, now()) OR claimed_by IS NOT NULL)::int AS pending_until
         FROM dispatch_queue
        WHERE $2::uuid[] IS NULL OR dealer_id = ANY($2::uuid[])`,
      [until?.toISOString() ?? null, dealerIds ?? null],
    );
    return {
      due: row.due,
      scheduled: row.scheduled,
      claimed: row.claimed,
      reconciling: row.reconciling,
      oldestDueSeconds: row.oldest === null ? null : Math.round(row.oldest),
      pendingUntil: row.pending_until,
    };
  }

  /**
   * Whether work due by `until` (or claimed by anyone) is left; cheap enough to ask every few
   * milliseconds. Each branch reads one partial index, so rows scheduled for later (a planned
   * day) are never read; the ordered scalar subqueries keep the planner on those indexes even
   * when its statistics of this fast-changing table are stale.
   */
  async hasPending(until: Date, dealerIds?: string[]): Promise<boolean> {
    const [row] = await this.rows<{ pending: boolean }>(
      `SELECT (SELECT claimed_at FROM dispatch_queue
                WHERE claimed_by IS NOT NULL AND ($2::uuid[] IS NULL OR dealer_id = ANY($2::uuid[]))
                ORDER BY claimed_at LIMIT 1) IS NOT NULL
           OR (SELECT next_attempt_at FROM dispatch_queue
                WHERE claimed_by IS NULL AND batch_date IS NULL AND next_attempt_at <= $1
                  AND ($2::uuid[] IS NULL OR dealer_id = ANY($2::uuid[]))
                ORDER BY next_attempt_at LIMIT 1) IS NOT NULL
           OR EXISTS (SELECT 1 FROM dispatch_queue
                       WHERE claimed_by IS NULL AND batch_date IS NOT NULL AND next_attempt_at <= $1
                         AND ($2::uuid[] IS NULL OR dealer_id = ANY($2::uuid[])))
           AS pending`,
      [until, dealerIds ?? null],
    );
    return row.pending;
  }

  async liveWorkers(): Promise<number> {
    const rows = await this.dataSource.query(LIVE_WORKER_KEYS);
    return rows.length;
  }
}

