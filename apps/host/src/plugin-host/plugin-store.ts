import type { KeyValueStore } from '@forecourt/sdk';
import { DataSource } from 'typeorm';

/** A plugin's key-value store, kept apart per plugin and per dealer (scope 'global' for host-wide clients). */
export class PluginStore implements KeyValueStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pluginId: string,
    private readonly scope: string,
  ) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const [row] = await this.dataSource.query('SELECT value FROM plugin_store WHERE plugin_id = $1 AND scope = $2 AND key = $3', [
      this.pluginId,
      this.scope,
      key,
    ]);
    return row?.value as T | undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO plugin_store (plugin_id, scope, key, value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (plugin_id, scope, key) DO UPDATE SET value = excluded.value, updated_at = now()`,
      [this.pluginId, this.scope, key, JSON.stringify(value ?? null)],
    );
  }

  async delete(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM plugin_store WHERE plugin_id = $1 AND scope = $2 AND key = $3', [this.pluginId, this.scope, key]);
  }
}
