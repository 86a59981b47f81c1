import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A message's brand (whose theme it wears) was checked against brands on every insert: a lookup
 * per message, and a share lock on the brand's row that every dealer planned at once takes too,
 * so the row's lockers become a multixact each plan has to look up again for each of its
 * messages. Brands are never deleted (no route deletes one) and the planner takes the brand from
 * the vehicle or the dealer's brands, so the check goes, as the dealer checks did before it.
 */
export class MessageBrandCheck1733500000000 implements MigrationInterface {
  name = 'MessageBrandCheck1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE messages DROP CONSTRAINT messages_brand_id_fkey');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE messages ADD CONSTRAINT messages_brand_id_fkey FOREIGN KEY (brand_id) REFERENCES brands(id)');
  }
}
