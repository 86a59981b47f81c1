import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from './secret-box';

/** A dealer's installation of a plugin; `secrets` are decrypted and must never leave the host. */
export interface StoredInstallation {
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

interface Row {
  plugin_id: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: string | null;
}

/**
 * plugin_installations: non-secret settings as jsonb, the secret ones sealed together into
 * `secrets`. The only place that reads or writes the table.
 */
@Injectable()
export class PluginInstallationRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  async find(pluginId: string, dealerId: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<StoredInstallation | undefined> {
    const [row]: Row[] = await manager.query(
      `SELECT plugin_id, enabled, settings, secrets FROM plugin_installations WHERE plugin_id = $1 AND dealer_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [pluginId, dealerId],
    );
    return row && this.decode(row, dealerId);
  }

  async forDealer(dealerId: string): Promise<Map<string, StoredInstallation>> {
    const rows: Row[] = await this.dataSource.query('SELECT plugin_id, enabled, settings, secrets FROM plugin_installations WHERE dealer_id = $1', [dealerId]);
    return new Map(rows.map((row) => [row.plugin_id, this.decode(row, dealerId)]));
  }

  /** Takes the row lock (creating the row if need be) so concurrent changes to one installation queue up. */
  async lock(pluginId: string, dealerId: string, manager: EntityManager): Promise<StoredInstallation> {
    await manager.query('INSERT INTO plugin_installations (plugin_id, dealer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [pluginId, dealerId]);
    return (await this.find(pluginId, dealerId, manager, true))!;
  }

  async save(pluginId: string, dealerId: string, installation: StoredInstallation, manager: EntityManager): Promise<void> {
    const sealed = Object.keys(installation.secrets).length ? this.box.seal(JSON.stringify(installation.secrets), context(pluginId, dealerId)) : null;
    await manager.query(
      `INSERT INTO plugin_installations (plugin_id, dealer_id, enabled, settings, secrets) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (plugin_id, dealer_id) DO UPDATE
         SET enabled = excluded.enabled, settings = excluded.settings, secrets = excluded.secrets, updated_at = now()`,
      [pluginId, dealerId, installation.enabled, JSON.stringify(installation.settings), sealed],
    );
  }

  private decode(row: Row, dealerId: string): StoredInstallation {
    let secrets: Record<string, string> = {};
    if (row.secrets) {
      try {
        secrets = JSON.parse(this.box.open(row.secrets, context(row.plugin_id, dealerId)));
      } catch {
        throw new Error(`the secrets of plugin ${row.plugin_id} for dealer ${dealerId} cannot be opened (was FORECOURT_SECRET changed?)`);
      }
    }
    return { enabled: row.enabled, settings: row.settings ?? {}, secrets };
  }
}

function context(pluginId: string, dealerId: string): string {
  return `plugin-secrets:${pluginId}:${dealerId}`;
}
