import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
    const rows = [...first.values()].map((m, ord) => ({
      ord,
      id: uuidv7(),
      dedupe_key: m.dedupeKey,
      channel: m.channel,
      template: m.template,
      locale: m.locale,
      recipient: m.recipient,
      brand_id: m.brandId ?? null,
      customer_id: m.customerId ?? null,
      vehicle_ids: m.vehicleIds ?? [],
      service_key: m.serviceKey ?? null,
      step: m.step ?? null,
      data: m.data ?? {},
      subject: m.subject ?? null,
      run_id: m.runId ?? null,
      not_before: m.notBefore?.toISOString() ?? null,
      send_on: m.sendOn ?? null,
      held_reason: m.held ? m.held.reason || 'held' : null,
      price_cents: m.priceCents ?? null,
      dealer_cost_cents: m.dealerCostCents ?? null,
      batched: Boolean(this.registry.channel(m.channel)?.definition.batched),
    }));
    const inserted: { id: string; dedupe_key: string; queued: boolean }[] = await manager.query(
      `WITH r AS (
         SELECT * FROM json_to_recordset($2::json) AS r(
           ord int, id uuid, dedupe_key text, channel text, template text, locale text, recipient jsonb, brand_id uuid, customer_id uuid,
           vehicle_ids uuid[], service_key text, step text, data jsonb, subject text, run_id uuid, not_before timestamptz,
           send_on date, held_reason text, price_cents int, dealer_cost_cents int, batched boolean)
       ), d AS (
         SELECT timezone, (SELECT brand_id FROM dealer_brands WHERE dealer_id = $1 ORDER BY brand_id LIMIT 1) AS brand_id
           FROM dealers WHERE id = $1
       ), ins AS (
         INSERT INTO messages (dealer_id, id, customer_id, vehicle_ids, channel, service_key, step, template, locale, brand_id,
                               recipient, data, subject, status, status_reason, dedupe_key, send_on, next_attempt_at, run_id,
                               price_cents, dealer_cost_cents)
         SELECT $1, r.id, r.customer_id, r.vehicle_ids, r.channel, r.service_key, r.step, r.template, r.locale, coalesce(r.brand_id, d.brand_id),
                r.recipient, r.data, r.subject, CASE WHEN r.held_reason IS NULL THEN 'queued' ELSE 'held' END, r.held_reason,
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
      [dealerId, JSON.stringify(rows)],
    );
    if (inserted.some((row) => row.queued)) await manager.query(`SELECT pg_notify($1, '')`, [DISPATCH_NOTIFY_CHANNEL]);
    const ids = new Map(inserted.map((row) => [row.dedupe_key, row.id]));
    const missing = rows.map((r) => r.dedupe_key).filter((key) => !ids.has(key));
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
