import { EntityManager } from 'typeorm';
import { uuidv7 } from '../common/uuidv7';

/** Wakes webhook workers after a commit that queued deliveries (NOTIFY is sent on commit). */
export const WEBHOOK_NOTIFY_CHANNEL = 'forecourt_webhooks';

export const CONSENT_CHANGED = 'consent.changed';
export const WEBHOOK_TEST = 'webhook.test';
export const WEBHOOK_EVENT_TYPES = [CONSENT_CHANGED] as const;

/** A consent ledger row as appendConsents inserted it. */
export interface InsertedConsent {
  id: string;
  customer_id: string;
  vehicle_id: string | null;
  channel: string;
  purpose: string;
  granted: boolean;
  source: string;
  acted_at: Date | string;
}

/**
 * Time-ordered ids for a batch, in the batch's order: ids of one millisecond are otherwise in
 * random order, and the pull feed and each endpoint's deliveries follow the id.
 */
function orderedIds(n: number): string[] {
  const now = Date.now();
  return Array.from({ length: n }, () => uuidv7(now)).sort();
}

/**
 * The outbox of consent changes, in the caller's transaction (the dealer set): one event per
 * ledger row, and one queued delivery per endpoint subscribed to `consent.changed`, so a consent
 * that commits has its deliveries, and one that rolls back has none. One statement whatever the
 * batch size, after a cheap check: a dealer with no endpoint and the feed off gets nothing. The
 * payload carries ids and the statement itself, nothing else about the customer.
 */
export async function recordConsentEvents(manager: EntityManager, dealerId: string, inserted: InsertedConsent[]): Promise<number> {
  if (!inserted.length) return 0;
  const [{ wanted }] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE dealer_id = $1 AND $2 = ANY (events))
         OR EXISTS (SELECT 1 FROM webhook_feeds WHERE dealer_id = $1) AS wanted`,
    [dealerId, CONSENT_CHANGED],
  );
  if (!wanted) return 0;
  const ids = orderedIds(inserted.length);
  const rows = inserted.map((c, i) => ({
    event_id: ids[i],
    customer_id: c.customer_id,
    vehicle_id: c.vehicle_id,
    channel: c.channel,
    purpose: c.purpose,
    granted: c.granted,
    source: c.source,
    acted_at: new Date(c.acted_at).toISOString(),
  }));
  const [{ deliveries }] = await manager.query(
    `WITH src AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS s(event_id uuid, customer_id uuid, vehicle_id uuid, channel text,
         purpose text, granted boolean, source text, acted_at text)
     ), ev AS (
       INSERT INTO webhook_events (dealer_id, id, type, customer_id, data, created_at)
       SELECT $1, s.event_id, $3, s.customer_id, jsonb_build_object(
                'customerExternalId', c.external_id, 'vehicleExternalId', v.external_id, 'channel', s.channel,
                'purpose', s.purpose, 'granted', s.granted, 'source', s.source, 'actedAt', s.acted_at),
              now()
         FROM src s
         JOIN customers c ON c.dealer_id = $1 AND c.id = s.customer_id
         LEFT JOIN vehicles v ON v.dealer_id = $1 AND v.id = s.vehicle_id
       RETURNING id
     ), dl AS (
       INSERT INTO webhook_deliveries (dealer_id, endpoint_id, event_id)
       SELECT $1, e.id, ev.id FROM ev CROSS JOIN webhook_endpoints e WHERE e.dealer_id = $1 AND $3 = ANY (e.events)
       RETURNING id, endpoint_id, event_id
     ), q AS (
       INSERT INTO webhook_queue (delivery_id, dealer_id, endpoint_id, event_id)
       SELECT id, $1, endpoint_id, event_id FROM dl
     ), wake AS (
       SELECT pg_notify($4, '') FROM (SELECT 1 FROM dl LIMIT 1) one
     )
     SELECT (SELECT count(*) FROM dl)::int AS deliveries, (SELECT count(*) FROM wake)::int AS woken`,
    [dealerId, JSON.stringify(rows), CONSENT_CHANGED, WEBHOOK_NOTIFY_CHANNEL],
  );
  return deliveries;
}
