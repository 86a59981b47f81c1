import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan writes each contact's counter row for the day twice: once to lock it before the
 * frequency cap is checked, once more to add the messages it planned. With room left on the page
 * that second write is a HOT update, which skips the primary-key index (without it, every planned
 * message cost a fresh index entry). Pages written from now on keep the room.
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
