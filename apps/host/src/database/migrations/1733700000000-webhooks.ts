import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * Outbound webhooks of consent changes (an outbox, like messages and dispatch_queue).
 *
 * `webhook_endpoints` (a dealer's receivers, secrets sealed), `webhook_feeds` (dealers that
 * turned the pull feed on), `webhook_events` (one per consent ledger row, written in the ledger
 * row's transaction while the dealer has an endpoint or the feed on; also the pull feed) and
 * `webhook_deliveries` (one per event and endpoint, with its attempts) are data-room tables
 * behind the dealer wall. `webhook_queue` holds only ids of deliveries not finished yet and has
 * no row-level security, so a worker claims across dealers (`FOR UPDATE SKIP LOCKED`) and reads
 * the rest in transactions where the dealer is set. `claim_id` is new for every claim, so the
 * outcome of a claim taken back after its lease never overwrites a later one.
 */
export class Webhooks1733700000000 implements MigrationInterface {
  name = 'Webhooks1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        id uuid NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret_sealed text NOT NULL,
        secret_rotated_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id)
      );

      -- A dealer whose CRM polls the feed instead of (or besides) receiving webhooks.
      CREATE TABLE webhook_feeds (
        dealer_id uuid PRIMARY KEY REFERENCES dealers(id) ON DELETE CASCADE,
        enabled_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE webhook_events (
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        id uuid NOT NULL,
        type text NOT NULL,
        -- Erasing the customer erases their events and the deliveries not made yet.
        customer_id uuid,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        -- The writing transaction: the feed shows an event once no older transaction is still open.
        xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
        PRIMARY KEY (dealer_id, id),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX webhook_events_customer ON webhook_events (dealer_id, customer_id) WHERE customer_id IS NOT NULL;
      CREATE INDEX webhook_events_feed ON webhook_events (dealer_id, type, id);

      CREATE TABLE webhook_deliveries (
        dealer_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL,
        event_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz DEFAULT now(),
        last_attempt_at timestamptz,
        last_http_status integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id),
        FOREIGN KEY (dealer_id, endpoint_id) REFERENCES webhook_endpoints (dealer_id, id) ON DELETE CASCADE,
        FOREIGN KEY (dealer_id, event_id) REFERENCES webhook_events (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (dealer_id, endpoint_id, created_at DESC, id);

      CREATE TABLE webhook_queue (
        delivery_id uuid PRIMARY KEY,
        dealer_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        event_id uuid NOT NULL,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_by text,
        claim_id uuid,
        -- The claiming worker's advisory lock key: a claim whose lock is gone (the process died) is taken back at once.
        claim_key integer,
        claimed_at timestamptz,
        FOREIGN KEY (dealer_id, delivery_id) REFERENCES webhook_deliveries (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX webhook_queue_due ON webhook_queue (next_attempt_at) WHERE claimed_by IS NULL;
      CREATE INDEX webhook_queue_heads ON webhook_queue (endpoint_id, event_id) WHERE claimed_by IS NULL;
      CREATE INDEX webhook_queue_busy ON webhook_queue (endpoint_id) WHERE claimed_by IS NOT NULL;
      CREATE INDEX webhook_queue_claimed ON webhook_queue (claimed_at) WHERE claimed_by IS NOT NULL;
    `);
    for (const table of ['webhook_endpoints', 'webhook_feeds', 'webhook_events', 'webhook_deliveries']) await enableDealerWall(q, table);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_queue, webhook_deliveries, webhook_events, webhook_feeds, webhook_endpoints');
  }
}
