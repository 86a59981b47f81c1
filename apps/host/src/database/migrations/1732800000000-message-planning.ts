import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the campaign engine records on a message at planning: the service's price and the
 * dealer's share of it after the brand's subsidy (monthly budgets count these, by the day the
 * message was planned for, send_on). cost_cents stays what the channel itself reports.
 */
export class MessagePlanning1732800000000 implements MigrationInterface {
  name = 'MessagePlanning1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN price_cents integer CHECK (price_cents >= 0),
        ADD COLUMN dealer_cost_cents integer CHECK (dealer_cost_cents >= 0);
      CREATE INDEX messages_spend ON messages (dealer_id, service_key, send_on) WHERE dealer_cost_cents IS NOT NULL;
      -- A journey is written when it starts and again when the same run marks its first step:
      -- room on the page lets that second write skip the indexes (a HOT update).
      ALTER TABLE journeys SET (fillfactor = 60);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE journeys RESET (fillfactor); DROP INDEX messages_spend; ALTER TABLE messages DROP COLUMN price_cents, DROP COLUMN dealer_cost_cents');
  }
}
