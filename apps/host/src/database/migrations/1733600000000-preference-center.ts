import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableDealerWall } from './dealer-wall';

/**
 * The preference center's own rows, inside each dealer's data room:
 * - `link_token_uses`: a one-click unsubscribe token acts once, so replaying it after the customer
 *   subscribed again in the preference center cannot undo that newer choice;
 * - `email_changes`: a new email address waiting for its confirmation link (single use, expiring).
 */
export class PreferenceCenter1733600000000 implements MigrationInterface {
  name = 'PreferenceCenter1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE link_token_uses (
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        message_id uuid NOT NULL,
        purpose text NOT NULL,
        used_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (dealer_id, message_id, purpose)
      );
      CREATE TABLE email_changes (
        id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        dealer_id uuid NOT NULL REFERENCES dealers(id),
        customer_id uuid NOT NULL,
        new_email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        FOREIGN KEY (dealer_id, customer_id) REFERENCES customers (dealer_id, id) ON DELETE CASCADE
      );
      CREATE INDEX email_changes_dealer_customer ON email_changes (dealer_id, customer_id);
    `);
    await enableDealerWall(q, 'link_token_uses');
    await enableDealerWall(q, 'email_changes');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE email_changes; DROP TABLE link_token_uses;');
  }
}
