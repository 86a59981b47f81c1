import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * The network (brands, dealers, users, API keys, audit log) and the dealer data rooms
 * (customers, vehicles, consent ledger, appointments, events). Every data-room table carries
 * dealer_id, its keys and foreign keys include it, and row-level security (forced, so the
 * table owner is bound too) shows only the rows of the dealer set for the transaction.
 */
export class Foundation1732300000000 implements MigrationInterface {
  name = 'Foundation1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forecourt_current_dealer() RETURNS uuid LANGUAGE sql STABLE AS
        $$ SELECT nullif(current_setting('forecourt.dealer_id', true), '')::uuid $$;

      CREATE FUNCTION forecourt_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
      END $$;

      CREATE TABLE brands (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        theme jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE dealers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        timezone text NOT NULL,
        locale text NOT NULL,
        email text,
        phone text,
        address jsonb,
        sender_name text,
        sender_email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE dealer_brands (
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        brand_id uuid NOT NULL REFERENCES brands(id),
        PRIMARY KEY (dealer_id, brand_id)
      );

      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        name text,
        role text NOT NULL CHECK (role IN ('network-admin', 'brand-admin', 'dealer-admin', 'dealer-user')),
        dealer_id uuid REFERENCES dealers(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        CHECK ((role IN ('dealer-admin', 'dealer-user')) = (dealer_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));

      CREATE TABLE user_brands (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        brand_id uuid NOT NULL REFERENCES brands(id),
        PRIMARY KEY (user_id, brand_id)
      );

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        name text,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );

      CREATE TABLE login_attempts (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        ip text NOT NULL,
        succeeded boolean NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX login_attempts_email_at ON login_attempts (lower(email), at);
      CREATE INDEX login_attempts_ip_at ON login_attempts (ip, at);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_type text NOT NULL,
        actor_id text,
        actor_label text,
        action text NOT NULL,
        entity_type text,
        entity_id text,
        dealer_id uuid,
        details jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION forecourt_refuse_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION forecourt_refuse_change();

      CREATE TABLE customers (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        external_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('person', 'company')),
        first_name text,
        last_name text,
        company_name text,
        email text,
        phone text,
        street text,
        postal_code text,
        city text,
        country text,
        birth_date date,
        locale text,
        contacts jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (dealer_id, external_id),
        UNIQUE (dealer_id, id)
      );
      CREATE INDEX customers_dealer_email ON customers (dealer_id, lower(email));
      CREATE INDEX customers_dealer_name ON customers (dealer_id, lower(coalesce(last_name, company_name)));

      CREATE TABLE vehicles (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        external_id text NOT NULL,
        customer_id uuid NOT NULL,
        brand_id uuid NOT NULL REFERENCES brands(id),
        model text,
        license_plate text,
        vin text,
        registration_date date,
        inspection_due_date date,
        next_service_date date,
        mileage_km integer CHECK (mileage_km >= 0),
        warranty_end_date date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (dealer_id, external_id),
        UNIQUE (dealer_id, id),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX vehicles_dealer_customer ON vehicles (dealer_id, customer_id);
      CREATE INDEX vehicles_dealer_inspection ON vehicles (dealer_id, inspection_due_date);

      CREATE TABLE consents (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        customer_id uuid NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'sms', 'letter', 'phone', 'all')),
        purpose text NOT NULL CHECK (purpose IN ('service', 'marketing', 'all')),
        vehicle_id uuid,
        granted boolean NOT NULL,
        source text NOT NULL,
        acted_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        notice_version text,
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE,
        FOREIGN KEY (dealer_id, vehicle_id) REFERENCES vehicles (dealer_id, id) ON DELETE CASCADE
      );
      -- The same statement recorded twice (a re-import) is one ledger entry.
      CREATE UNIQUE INDEX consents_same_statement ON consents (dealer_id, customer_id, channel, purpose,
        coalesce(vehicle_id, '00000000-0000-0000-0000-000000000000'::uuid), acted_at, granted, source);
      CREATE INDEX consents_dealer_customer ON consents (dealer_id, customer_id, acted_at);
      CREATE TRIGGER consents_append_only BEFORE UPDATE ON consents
        FOR EACH ROW EXECUTE FUNCTION forecourt_refuse_change();

      CREATE TABLE appointments (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        external_id text NOT NULL,
        customer_id uuid NOT NULL,
        vehicle_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('inspection', 'service', 'repair', 'other')),
        starts_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('booked', 'done', 'cancelled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (dealer_id, external_id),
        UNIQUE (dealer_id, id),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE,
        FOREIGN KEY (dealer_id, vehicle_id) REFERENCES vehicles (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX appointments_dealer_vehicle ON appointments (dealer_id, vehicle_id, starts_at);

      CREATE TABLE events (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        customer_id uuid NOT NULL,
        external_id text,
        type text NOT NULL,
        at timestamptz NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE UNIQUE INDEX events_dealer_external ON events (dealer_id, external_id) WHERE external_id IS NOT NULL;
      CREATE INDEX events_dealer_customer_at ON events (dealer_id, customer_id, at);
    `);
    for (const table of ['customers', 'vehicles', 'consents', 'appointments', 'events']) {
      await enableDealerWall(q, table);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE events, appointments, consents, vehicles, customers, audit_log, login_attempts,
        api_keys, user_brands, users, dealer_brands, dealers, brands;
      DROP FUNCTION forecourt_refuse_change(); DROP FUNCTION forecourt_current_dealer();
    `);
  }
}
