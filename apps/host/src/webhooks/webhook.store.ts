import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** Advisory lock class of webhook workers; the object is the worker's key, held by its LISTEN connection while it lives. */
export const WEBHOOK_WORKER_LOCK_CLASS = 74212;

const LIVE_WEBHOOK_WORKERS = `
  SELECT objid::bigint FROM pg_locks
   WHERE locktype = 'advisory' AND classid = ${WEBHOOK_WORKER_LOCK_CLASS} AND objsubid = 2 AND granted
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** A claimed row of webhook_queue. */
export interface ClaimedDelivery {
  delivery_id: string;
  dealer_id: string;
  endpoint_id: string;
  event_id: string;
  claim_id: string;
}

/** What is sent for one claimed delivery. */
export interface DeliveryWork {
  attempts: number;
  url: string;
  secretSealed: string;
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export interface AttemptOutcome {
  delivered: boolean;
  httpStatus: number | null;
  error: string | null;
  /** Absent when delivered or given up. */
  nextAttemptAt?: Date;
}

/**
 * The webhook worker's SQL. webhook_queue (ids only, no row-level security) is claimed across
 * dealers; endpoints, events and deliveries are read and written only in transactions where
 * the dealer is set.
 */
@Injectable()
export class WebhookStore {
  constructor(private readonly dataSource: DataSource) {}

  private asDealer<T>(dealerId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [dealerId]);
      return work(m);
    });
  }

  /**
   * Claims due deliveries, most overdue first: of an endpoint only the due one with the oldest
   * event, and none while the endpoint has one under way, so each endpoint gets its events in
   * order while a failing endpoint (its deliveries waiting for their retry) holds up no other.
   * Each row is checked with two index probes, so a long backlog is not scanned on every poll.
   */
  claim(worker: { id: string; key: number }, limit: number): Promise<ClaimedDelivery[]> {
    return this.dataSource.query(
      `WITH picked AS (
         SELECT q.delivery_id FROM webhook_queue q
          WHERE q.claimed_by IS NULL AND q.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM webhook_queue busy WHERE busy.endpoint_id = q.endpoint_id AND busy.claimed_by IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM webhook_queue older
                             WHERE older.endpoint_id = q.endpoint_id AND older.event_id < q.event_id
                               AND older.claimed_by IS NULL AND older.next_attempt_at <= now())
          ORDER BY q.next_attempt_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_queue q SET claimed_by = $1, claim_id = gen_random_uuid(), claim_key = $3, claimed_at = now()
           FROM picked WHERE q.delivery_id = picked.delivery_id
         RETURNING q.delivery_id, q.dealer_id, q.endpoint_id, q.event_id, q.claim_id
       )
       SELECT * FROM claimed`,
      [worker.id, limit, worker.key],
    );
  }

  /** The delivery's endpoint and event; undefined when the delivery is gone or settled. */
  async load(claim: ClaimedDelivery): Promise<DeliveryWork | undefined> {
    const [row] = await this.asDealer(claim.dealer_id, (m) =>
      m.query(
        `SELECT d.attempts, e.url, e.secret_sealed, ev.id AS event_id, ev.type, ev.data, ev.created_at
           FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.dealer_id = d.dealer_id AND e.id = d.endpoint_id
           JOIN webhook_events ev ON ev.dealer_id = d.dealer_id AND ev.id = d.event_id
          WHERE d.dealer_id = $1 AND d.id = $2 AND d.status = 'pending'`,
        [claim.dealer_id, claim.delivery_id],
      ),
    );
    if (!row) return undefined;
    return {
      attempts: row.attempts,
      url: row.url,
      secretSealed: row.secret_sealed,
      event: { id: row.event_id, type: row.type, createdAt: new Date(row.created_at).toISOString(), data: row.data },
    };
  }

  /** Writes one attempt's outcome, only while the claim is still this one (one taken back after its lease writes nothing). */
  async record(claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
    return this.asDealer(claim.dealer_id, async (m) => {
      const [held] = await m.query('SELECT 1 FROM webhook_queue WHERE delivery_id = $1 AND claim_id = $2 FOR UPDATE', [claim.delivery_id, claim.claim_id]);
      if (!held) return false;
      const status = outcome.delivered ? 'delivered' : outcome.nextAttemptAt ? 'pending' : 'failed';
      await m.query(
        `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_attempt_at = now(), last_http_status = $4,
                last_error = $5, next_attempt_at = $6, delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
          WHERE dealer_id = $1 AND id = $2`,
        [claim.dealer_id, claim.delivery_id, status, outcome.httpStatus, outcome.error?.slice(0, 1000) ?? null, outcome.nextAttemptAt ?? null],
      );
      if (outcome.nextAttemptAt) {
        await m.query(
          'UPDATE webhook_queue SET claimed_by = NULL, claim_id = NULL, claim_key = NULL, claimed_at = NULL, next_attempt_at = $2 WHERE delivery_id = $1',
          [claim.delivery_id, outcome.nextAttemptAt],
        );
      } else {
        await m.query('DELETE FROM webhook_queue WHERE delivery_id = $1', [claim.delivery_id]);
      }
      return true;
    });
  }

  /** Gives claims back untried (shutdown), due at once. */
  async release(claims: ClaimedDelivery[]): Promise<void> {
    if (!claims.length) return;
    await this.dataSource.query(
      'UPDATE webhook_queue SET claimed_by = NULL, claim_id = NULL, claim_key = NULL, claimed_at = NULL WHERE claim_id = ANY($1::uuid[])',
      [claims.map((c) => c.claim_id)],
    );
  }

  /** Drops a queue row whose delivery is gone or settled. */
  async drop(claim: ClaimedDelivery): Promise<void> {
    await this.dataSource.query('DELETE FROM webhook_queue WHERE delivery_id = $1 AND claim_id = $2', [claim.delivery_id, claim.claim_id]);
  }

  /**
   * Takes back claims of workers that died (their lock is gone) or stalled past the lease: the attempt counts,
   * with no answer known, and the delivery is due again at once, or `failed` once it had all its
   * attempts (at least once: the receiver may have got it already, and deduplicates by event id).
   */
  async recover(leaseMs: number, maxAttempts: number): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const stale: { delivery_id: string; dealer_id: string }[] = await m.query(
        `SELECT delivery_id, dealer_id FROM webhook_queue
          WHERE claimed_by IS NOT NULL
            AND (claimed_at < now() - $1 * interval '1 millisecond' OR claim_key IS NULL OR claim_key <> ALL (ARRAY(${LIVE_WEBHOOK_WORKERS})))
          ORDER BY claimed_at LIMIT 500
          FOR UPDATE SKIP LOCKED`,
        [leaseMs],
      );
      if (!stale.length) return 0;
      const byDealer = new Map<string, string[]>();
      for (const s of stale) byDealer.set(s.dealer_id, [...(byDealer.get(s.dealer_id) ?? []), s.delivery_id]);
      const settled: string[] = [];
      for (const [dealerId, ids] of byDealer) {
        await m.query(`SELECT set_config('forecourt.dealer_id', $1, true)`, [dealerId]);
        // TypeORM answers UPDATE … RETURNING with [rows, rowCount].
        const [rows] = (await m.query(
          `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_http_status = NULL,
                  status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                  next_attempt_at = CASE WHEN attempts + 1 >= $3 THEN NULL ELSE now() END,
                  last_error = 'no outcome: the worker delivering it stopped, or stalled past its lease'
            WHERE dealer_id = $1 AND id = ANY($2::uuid[]) AND status = 'pending'
           RETURNING id, status`,
          [dealerId, ids, maxAttempts],
        )) as [{ id: string; status: string }[], number];
        const pending = new Set(rows.filter((r) => r.status === 'pending').map((r) => r.id));
        settled.push(...ids.filter((id) => !pending.has(id)));
      }
      await m.query('DELETE FROM webhook_queue WHERE delivery_id = ANY($1::uuid[])', [settled]);
      await m.query(
        'UPDATE webhook_queue SET claimed_by = NULL, claim_id = NULL, claim_key = NULL, claimed_at = NULL, next_attempt_at = now() WHERE delivery_id = ANY($1::uuid[])',
        [stale.map((s) => s.delivery_id)],
      );
      return stale.length;
    });
  }

  /** For /health: deliveries waiting, and how late the most overdue one is. */
  async queueCounts(): Promise<{ pending: number; claimed: number; oldestDueSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, count(*) FILTER (WHERE claimed_by IS NOT NULL)::int AS claimed,
              coalesce(extract(epoch FROM now() - min(next_attempt_at) FILTER (WHERE claimed_by IS NULL AND next_attempt_at <= now())), 0)::int AS oldest
         FROM webhook_queue`,
    );
    return { pending: row.pending, claimed: row.claimed, oldestDueSeconds: row.oldest };
  }
}
