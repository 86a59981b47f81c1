import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lighter writes for the daily plan, which inserts a journey per occasion and a message with its
 * queue row per recipient (a million and more rows on a busy day). Each foreign key costs a
 * lookup per row. Journeys, skips and planned messages name their customer, and their
 * (dealer_id, customer_id) key to customers already proves the dealer exists; a queue row
 * belongs to a message written in the same statement; dealers are never deleted. So the
 * separate checks against dealers go. Nothing reads messages by run (a run's figures live in run_days).
 * Journeys are written once when they start; later days rewrite their steps, which a little
 * room on the page keeps HOT.
 */
export class PlanningWrites1732900000000 implements MigrationInterface {
  name = 'PlanningWrites1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE journeys DROP CONSTRAINT journeys_dealer_id_fkey;
      ALTER TABLE skips DROP CONSTRAINT skips_dealer_id_fkey;
      ALTER TABLE messages DROP CONSTRAINT messages_dealer_id_fkey;
      ALTER TABLE dispatch_queue DROP CONSTRAINT dispatch_queue_dealer_id_fkey;
      DROP INDEX messages_run;
      ALTER TABLE journeys SET (fillfactor = 80);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE journeys SET (fillfactor = 60);
      CREATE INDEX messages_run ON messages (dealer_id, run_id) WHERE run_id IS NOT NULL;
      ALTER TABLE dispatch_queue ADD CONSTRAINT dispatch_queue_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers(id) ON DELETE CASCADE;
      ALTER TABLE messages ADD CONSTRAINT messages_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers(id);
      ALTER TABLE skips ADD CONSTRAINT skips_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers(id);
      ALTER TABLE journeys ADD CONSTRAINT journeys_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers(id);
    `);
  }
}
