import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * The campaign engine: brand policies and dealer subscriptions per service (configuration), the
 * journeys occasions start (data room), runs and their per-dealer days, skips with their reasons
 * (data room), and the cross-dealer contact counter for the frequency cap, keyed by a keyed hash
 * of the contact address so no dealer learns anything about another's customers.
 */
export class Campaigns1732700000000 implements MigrationInterface {
  name = 'Campaigns1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_policies (
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        service_key text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('optional', 'mandatory', 'unavailable')),
        subsidy_percent integer NOT NULL DEFAULT 0 CHECK (subsidy_percent BETWEEN 0 AND 100),
        settings_bounds jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (brand_id, service_key)
      );

      CREATE TABLE service_subscriptions (
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        service_key text NOT NULL,
        enabled boolean NOT NULL,
        monthly_budget_cents integer CHECK (monthly_budget_cents >= 0),
        settings jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, service_key)
      );

      CREATE TABLE journeys (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        service_key text NOT NULL,
        occasion_key text NOT NULL,
        customer_id uuid NOT NULL,
        vehicle_ids uuid[] NOT NULL DEFAULT '{}',
        due_date date NOT NULL,
        started_on date NOT NULL,
        state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'done', 'stopped')),
        ended_reason text,
        steps jsonb NOT NULL DEFAULT '{}',
        data jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (dealer_id, service_key, occasion_key),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX journeys_active ON journeys (dealer_id, state, service_key) WHERE state = 'active';
      CREATE INDEX journeys_customer ON journeys (dealer_id, customer_id);

      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        as_of date NOT NULL,
        dealer_ids uuid[] NOT NULL,
        dry_run boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        progress jsonb NOT NULL DEFAULT '{}',
        summary jsonb NOT NULL DEFAULT '{}',
        error text,
        started_by text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );

      CREATE TABLE run_days (
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        as_of date NOT NULL,
        run_id uuid NOT NULL REFERENCES runs(id),
        finished boolean NOT NULL DEFAULT false,
        summary jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (dealer_id, as_of)
      );

      CREATE TABLE skips (
        id bigserial PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        run_id uuid,
        journey_id uuid,
        customer_id uuid,
        service_key text NOT NULL,
        step text NOT NULL,
        channel text,
        reason text NOT NULL,
        as_of date NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX skips_run ON skips (dealer_id, run_id);

      CREATE TABLE contact_frequency (
        contact_hash text NOT NULL,
        day date NOT NULL,
        messages integer NOT NULL,
        PRIMARY KEY (contact_hash, day)
      );
    `);
    for (const table of ['journeys', 'skips']) await enableDealerWall(q, table);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE contact_frequency, skips, run_days, runs, journeys, service_subscriptions, service_policies');
  }
}
