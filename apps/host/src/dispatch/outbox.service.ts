import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { arrayLiteral } from '../common/pg-array';
import { uuidv7 } from '../common/uuidv7';
import { PluginRegistry } from '../plugin-host/plugin-registry.service';
import { EnqueuedMessage, NewMessage } from './message.types';

/** Wakes idle dispatch workers at once instead of at their next poll (delivered on commit). */
export const DISPATCH_NOTIFY_CHANNEL = 'forecourt_dispatch';

/**
 * Writes messages to the outbox. Each message row and its queue row are written by one statement
 * in the caller's transaction (the dealer set for row-level security), so a message is queued if
 * and only if the flow that decided it committed.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly registry: PluginRegistry) {}

  /**
   * Idempotent by dedupe key: a key the dealer's outbox already holds adds nothing and answers
   * the existing message's id with `created: false`. Answers in the order given.
   */
  async enqueue(manager: EntityManager, dealerId: string, messages: NewMessage[]): Promise<EnqueuedMessage[]> {
    if (!messages.length) return [];
    const first = new Map<string, NewMessage>();
    for (const message of messages) {
      if (!message.dedupeKey) throw new Error('a message needs a dedupe key');
      if (!first.has(message.dedupeKey)) first.set(message.dedupeKey, message);
    }
    const rows = [...first.values()];
    const column = <T extends string | number | boolean | null>(value: (m: NewMessage) => T | undefined) => arrayLiteral(rows.map(value));
    // Plain columns as arrays and the two documents (recipient, merge data) in one JSON array, zipped
    // by ROWS FROM: a day's plan writes thousands of messages here, and PostgreSQL reads arrays of
    // scalars far cheaper than the same fields spread over JSON objects.
    const inserted: { id: string; dedupe_key: string; queued: boolean }[] = await manager.query(
      `WITH r AS (
         SELECT * FROM ROWS FROM (
           unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[], $10::text[], $11::text[],
                  $12::text[], $13::uuid[], $14::timestamptz[], $15::date[], $16::text[], $17::int[], $18::int[], $19::boolean[]),
           jsonb_array_elements($20::jsonb)
         ) WITH ORDINALITY AS r(id, dedupe_key, channel, template, locale, brand_id, customer_id, vehicle_ids, service_key, step,
                               subject, run_id, not_before, send_on, held_reason, price_cents, dealer_cost_cents, batched, content, ord)
       ), d AS (
         SELECT timezone, (SELECT brand_id FROM dealer_brands WHERE dealer_id = $1 ORDER BY brand_id LIMIT 1) AS brand_id
           FROM dealers WHERE id = $1
       ), ins AS (
         INSERT INTO messages (dealer_id, id, customer_id, vehicle_ids, channel, service_key, step, template, locale, brand_id,
                               recipient, data, subject, status, status_reason, dedupe_key, send_on, next_attempt_at, run_id,
                               price_cents, dealer_cost_cents)
         SELECT $1, r.id, r.customer_id, r.vehicle_ids::uuid[], r.channel, r.service_key, r.step, r.template, r.locale, coalesce(r.brand_id, d.brand_id),
                r.content->0, r.content->1, r.subject, CASE WHEN r.held_reason IS NULL THEN 'queued' ELSE 'held' END, r.held_reason,
                r.dedupe_key, coalesce(r.send_on, (now() AT TIME ZONE d.timezone)::date), coalesce(r.not_before, now()), r.run_id,
                r.price_cents, r.dealer_cost_cents
           FROM r CROSS JOIN d ORDER BY r.ord
         ON CONFLICT (dealer_id, dedupe_key) DO NOTHING
         RETURNING id, dedupe_key, channel, status, send_on, next_attempt_at
       ), queued AS (
         INSERT INTO dispatch_queue (message_id, dealer_id, channel, batch_date, next_attempt_at)
         SELECT ins.id, $1, ins.channel, CASE WHEN r.batched THEN ins.send_on END, ins.next_attempt_at
           FROM ins JOIN r USING (dedupe_key) WHERE ins.status = 'queued'
       )
       SELECT id, dedupe_key, status = 'queued' AS queued FROM ins`,
      [
        dealerId,
        column(() => uuidv7()),
        column((m) => m.dedupeKey),
        column((m) => m.channel),
        column((m) => m.template),
        column((m) => m.locale),
        column((m) => m.brandId ?? null),
        column((m) => m.customerId ?? null),
        column((m) => arrayLiteral(m.vehicleIds ?? [])),
        column((m) => m.serviceKey ?? null),
        column((m) => m.step ?? null),
        column((m) => m.subject ?? null),
        column((m) => m.runId ?? null),
        column((m) => m.notBefore?.toISOString() ?? null),
        column((m) => m.sendOn ?? null),
        column((m) => (m.held ? m.held.reason || 'held' : null)),
        column((m) => m.priceCents ?? null),
        column((m) => m.dealerCostCents ?? null),
        column((m) => Boolean(this.registry.channel(m.channel)?.definition.batched)),
        JSON.stringify(rows.map((m) => [m.recipient, m.data ?? {}])),
      ],
    );
    if (inserted.some((row) => row.queued)) await manager.query(`SELECT pg_notify($1, '')`, [DISPATCH_NOTIFY_CHANNEL]);
    const ids = new Map(inserted.map((row) => [row.dedupe_key, row.id]));
    const missing = rows.map((r) => r.dedupeKey).filter((key) => !ids.has(key));
    const existing = new Map<string, string>();
    if (missing.length) {
      const found: { id: string; dedupe_key: string }[] = await manager.query(
        'SELECT id, dedupe_key FROM messages WHERE dealer_id = $1 AND dedupe_key = ANY($2::text[])',
        [dealerId, missing],
      );
      for (const row of found) existing.set(row.dedupe_key, row.id);
    }
    return messages.map((m) => {
      const id = ids.get(m.dedupeKey);
      const created = id !== undefined && first.get(m.dedupeKey) === m;
      const known = id ?? existing.get(m.dedupeKey);
      if (!known) throw new Error(`dealer ${dealerId} not found: message ${m.dedupeKey} was not written`);
      return { dedupeKey: m.dedupeKey, id: known, created };
    });
  }

  /** Queues held messages (a budget raised, quiet hours over); answers the ids it queued. */
  async release(manager: EntityManager, dealerId: string, messageIds: string[], notBefore: Date = new Date()): Promise<string[]> {
    if (!messageIds.length) return [];
    const batched = this.registry
      .channels()
      .filter((c) => c.definition.batched)
      .map((c) => c.definition.channel);
    const rows: { id: string }[] = await manager.query(
      `WITH up AS (
         UPDATE messages SET status = 'queued', status_reason = NULL, next_attempt_at = $3, updated_at = now()
          WHERE dealer_id = $1 AND id = ANY($2::uuid[]) AND status = 'held'
          RETURNING id, channel, send_on, next_attempt_at
       ), queued AS (
         INSERT INTO dispatch_queue (message_id, dealer_id, channel, batch_date, next_attempt_at)
         SELECT id, $1, channel, CASE WHEN channel = ANY($4::text[]) THEN send_on END, next_attempt_at FROM up
       )
       SELECT id FROM up`,
      [dealerId, messageIds, notBefore, batched],
    );
    if (rows.length) await manager.query(`SELECT pg_notify($1, '')`, [DISPATCH_NOTIFY_CHANNEL]);
    return rows.map((r) => r.id);
  }
}
