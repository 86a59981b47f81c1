import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an appointment was first recorded as booked: the instant a conversion is judged by
 * (reports: an appointment booked within the conversion window after a message went out).
 *
 * A trigger sets it, so every way an appointment is written (the API, an import, a call outcome
 * `appointment`) sets it in its own transaction, and nothing moves it afterwards: a re-import,
 * a move to `done`, a cancellation and a booking again all keep the first instant. An appointment
 * first recorded as `done` or `cancelled` was never seen booked and gets none until it is booked.
 * Rows that exist already take their created_at when they are booked or done: the best known instant.
 */
export class AppointmentBookedAt1733800000000 implements MigrationInterface {
  name = 'AppointmentBookedAt1733800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE appointments ADD COLUMN booked_at timestamptz;
      UPDATE appointments SET booked_at = created_at WHERE status IN ('booked', 'done');

      CREATE FUNCTION forecourt_appointment_booked_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          NEW.booked_at := OLD.booked_at;
        END IF;
        IF NEW.booked_at IS NULL AND NEW.status = 'booked' THEN
          NEW.booked_at := now();
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER appointments_booked_at BEFORE INSERT OR UPDATE ON appointments
        FOR EACH ROW EXECUTE FUNCTION forecourt_appointment_booked_at();

      -- Reports find a dealer's conversions by customer; messages_customer serves the other side.
      CREATE INDEX appointments_booked ON appointments (dealer_id, customer_id, booked_at) WHERE booked_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER appointments_booked_at ON appointments;
      DROP FUNCTION forecourt_appointment_booked_at();
      DROP INDEX appointments_booked;
      ALTER TABLE appointments DROP COLUMN booked_at;
    `);
  }
}
