import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * Outcomes of calls made from a dealer's call list. An entry of the list is a message on the
 * `call-list` channel; each call to it adds an outcome (a no-answer today, an appointment
 * tomorrow), so flows see the latest one and the history stays. A `wrong-number` outcome is kept
 * here for flows to read as well.
 */
export class CallLists1732600000000 implements MigrationInterface {
  name = 'CallLists1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE call_outcomes (
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        message_id uuid NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('appointment', 'no-answer', 'declined', 'wrong-number')),
        appointment_starts_at timestamptz,
        recorded_by text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, id),
        FOREIGN KEY (dealer_id, message_id) REFERENCES messages (dealer_id, id) ON DELETE CASCADE,
        CHECK ((outcome = 'appointment') = (appointment_starts_at IS NOT NULL))
      );
      CREATE INDEX call_outcomes_message ON call_outcomes (dealer_id, message_id, at);
      CREATE INDEX messages_call_list ON messages (dealer_id, send_on) WHERE channel = 'call-list';
    `);
    await enableDealerWall(q, 'call_outcomes');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX messages_call_list; DROP TABLE call_outcomes');
  }
}
