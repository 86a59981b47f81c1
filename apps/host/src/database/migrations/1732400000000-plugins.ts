import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-dealer plugin installations (settings; secret fields encrypted by the host) and the
 * key-value store plugins get through their context. Neither is a data-room table: they hold
 * configuration, not customers, and the plugin host scopes them by dealer itself.
 */
export class Plugins1732400000000 implements MigrationInterface {
  name = 'Plugins1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plugin_installations (
        plugin_id text NOT NULL,
        dealer_id uuid NOT NULL REFERENCES dealers(id) ON DELETE CASCADE,
        enabled boolean NOT NULL DEFAULT true,
        settings jsonb NOT NULL DEFAULT '{}',
        secrets text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plugin_id, dealer_id)
      );
      CREATE TABLE plugin_store (
        plugin_id text NOT NULL,
        scope text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plugin_id, scope, key)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE plugin_store, plugin_installations');
  }
}
