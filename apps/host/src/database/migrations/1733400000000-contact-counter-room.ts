import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A contact's counter row for the day is written again after its first write whenever another
 * dealer's plan counts the same address that day, a run is repeated, or the plan takes back
 * messages the frequency cap or the budget stopped. With room left on the page those writes are
 * HOT updates, which skip the primary-key index. Pages written from now on keep the room.
 */
export class ContactCounterRoom1733400000000 implements MigrationInterface {
  name = 'ContactCounterRoom1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE contact_frequency SET (fillfactor = 50)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE contact_frequency RESET (fillfactor)');
  }
}
