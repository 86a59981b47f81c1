import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * The outbox and its queue.
 *
 * `messages` is the outbox and the message log (data room, behind the dealer wall). Its queue is
 * a separate small table, `dispatch_queue`, that holds only ids of work not finished yet (no
 * personal data) and has no row-level security: a worker serves every dealer, so it claims across
 * dealers there (`FOR UPDATE SKIP LOCKED`, marked with its claim), then reads and updates the
 * messages themselves only in transactions where the dealer is set, so the dealer wall stays up
 * for everything that holds customer data. Claiming per dealer in round-robin instead would cost
 * one query per dealer per round even when almost all dealers have nothing to send. A message row
 * and its queue row are written in one statement of the caller's transaction.
 *
 * `provider_refs` maps a provider's id back to a message (webhooks name only the provider id),
 * `message_events` keeps status callbacks (deduplicated by the provider's event id) and
 * `dispatch_files` keeps the files batched channels produce (a day's letters as one PDF).
 */
export class Outbox1732500000000 implements MigrationInterface {
  name = 'Outbox1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messages (
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        customer_id uuid,
        vehicle_ids uuid[] NOT NULL DEFAULT '{}',
        channel text NOT NULL,
        service_key text,
        step text,
        template text NOT NULL,
        locale text NOT NULL,
        brand_id uuid REFERENCES brands(id),
        recipient jsonb NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        subject text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN
          ('queued', 'sending', 'sent', 'delivered', 'opened', 'clicked', 'failed', 'bounced', 'held', 'unknown')),
        status_reason text,
        dedupe_key text NOT NULL,
        send_on date,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_by text,
        claimed_at timestamptz,
        provider_id text,
        cost_cents integer NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
        units integer,
        sandbox boolean NOT NULL DEFAULT false,
        run_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id),
        UNIQUE (dealer_id, dedupe_key),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE SET NULL (customer_id)
      ) WITH (fillfactor = 80);
      -- Claiming goes through dispatch_queue, so no index holds a column dispatch changes (status,
      -- claim, attempts, cost): its two updates per message stay HOT, with no index writes.
      CREATE INDEX messages_list ON messages (dealer_id, created_at DESC, id);
      CREATE INDEX messages_customer ON messages (dealer_id, customer_id, created_at DESC) WHERE customer_id IS NOT NULL;
      CREATE INDEX messages_run ON messages (dealer_id, run_id) WHERE run_id IS NOT NULL;

      -- Erasing a customer empties what their messages say about them; the message stays as a
      -- count and a cost, and one not sent yet is never sent.
      CREATE FUNCTION forecourt_message_customer_erased() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.customer_id IS NOT NULL AND NEW.customer_id IS NULL THEN
          NEW.recipient := '{}';
          NEW.data := '{}';
          NEW.subject := NULL;
          NEW.vehicle_ids := '{}';
          IF NEW.status IN ('queued', 'held') THEN
            NEW.status := 'failed';
            NEW.status_reason := 'customer erased';
          END IF;
          DELETE FROM dispatch_queue WHERE message_id = NEW.id AND claimed_by IS NULL;
        END IF;
        RETURN NEW;
      END $$;

      CREATE TABLE dispatch_queue (
        message_id uuid PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        channel text NOT NULL,
        kind text NOT NULL DEFAULT 'send' CHECK (kind IN ('send', 'reconcile')),
        batch_date date,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        enqueued_at timestamptz NOT NULL DEFAULT now(),
        claimed_by text,
        claim_key integer,
        claimed_at timestamptz
      );
      CREATE INDEX dispatch_queue_due ON dispatch_queue (next_attempt_at) WHERE claimed_by IS NULL AND batch_date IS NULL;
      CREATE INDEX dispatch_queue_batches ON dispatch_queue (dealer_id, channel, batch_date) WHERE claimed_by IS NULL AND batch_date IS NOT NULL;
      CREATE INDEX dispatch_queue_claimed ON dispatch_queue (claimed_at) WHERE claimed_by IS NOT NULL;

      CREATE TRIGGER messages_customer_erased BEFORE UPDATE OF customer_id ON messages
        FOR EACH ROW EXECUTE FUNCTION forecourt_message_customer_erased();

      CREATE TABLE provider_refs (
        channel text NOT NULL,
        provider_id text NOT NULL,
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        message_id uuid NOT NULL,
        PRIMARY KEY (channel, provider_id)
      );

      CREATE TABLE message_events (
        dealer_id uuid NOT NULL,
        id bigserial,
        message_id uuid NOT NULL,
        channel text NOT NULL,
        type text NOT NULL,
        provider_event_id text,
        data jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id),
        FOREIGN KEY (dealer_id, message_id) REFERENCES messages (dealer_id, id) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX message_events_provider_event ON message_events (dealer_id, channel, provider_event_id)
        WHERE provider_event_id IS NOT NULL;
      CREATE INDEX message_events_message ON message_events (dealer_id, message_id, at);

      CREATE TABLE dispatch_files (
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        channel text NOT NULL,
        date date NOT NULL,
        file_name text NOT NULL,
        content_type text NOT NULL,
        content bytea NOT NULL,
        pages integer NOT NULL,
        message_ids uuid[] NOT NULL,
        cost_cents integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id)
      );
      CREATE INDEX dispatch_files_date ON dispatch_files (dealer_id, channel, date);
    `);
    for (const table of ['messages', 'message_events', 'dispatch_files']) await enableDealerWall(q, table);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE dispatch_files, message_events, provider_refs, dispatch_queue, messages;
      DROP FUNCTION forecourt_message_customer_erased();
    `);
  }
}
