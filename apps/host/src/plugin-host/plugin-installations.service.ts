import type { SettingsSchema } from '@forecourt/sdk';
import { ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ValidateFunction } from 'ajv';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Principal } from '../auth/principal';
import { ValidationProblem } from '../common/problem';
import { DiscoveredPlugin } from './plugin-discovery';
import { PluginInstallationDto } from './plugin-installation.dto';
import { PluginInstallationRepository, StoredInstallation } from './plugin-installation.repository';
import { hostSettings, PluginRegistry } from './plugin-registry.service';
import { compileDealerSettings, secretNames, settingsErrors } from './settings.validation';

/** A plugin as one dealer has it; secret settings show only whether they are set. */
export interface DealerPluginView {
  id: string;
  kind?: string;
  version?: string;
  displayName?: string;
  description?: string;
  channel?: string;
  /** enabled: usable for this dealer; disabled: broken on this host, or switched off by the dealer (see `reason`). */
  state: 'enabled' | 'disabled';
  reason?: string;
  /** The dealer's own switch; on until the dealer switches it off. */
  enabled: boolean;
  settings: Record<string, unknown>;
  /** For a plugin enabled on this host: the schema the console builds its form from. */
  settingsSchema?: SettingsSchema;
}

/** `{ set: true }` is how GET shows a stored secret; sent back unchanged, it keeps the secret. */
function isSetMarker(value: unknown): value is { set: boolean } {
  return !!value && typeof value === 'object' && Object.keys(value).length === 1 && typeof (value as { set?: unknown }).set === 'boolean';
}

/** Per-dealer installations: state, settings validated against the plugin's schema, secrets sealed. */
@Injectable()
export class PluginInstallationsService {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: PluginRegistry,
    private readonly installations: PluginInstallationRepository,
    private readonly access: AccessPolicy,
  ) {}

  /** GET /api/dealers/:dealerId/plugins */
  async list(principal: Principal, dealerId: string): Promise<DealerPluginView[]> {
    await this.assertDealer(principal, dealerId, 'read');
    const installed = await this.installations.forDealer(dealerId);
    return this.registry.list().map((plugin) => this.view(plugin, installed.get(plugin.id)));
  }

  /** PUT /api/dealers/:dealerId/plugins/:pluginId */
  async set(principal: Principal, dealerId: string, pluginId: string, dto: PluginInstallationDto): Promise<DealerPluginView> {
    await this.assertDealer(principal, dealerId, 'update');
    const plugin = this.registry.list().find((p) => p.id === pluginId);
    if (!plugin) throw new NotFoundException(`no plugin ${pluginId}`);
    if (plugin.state !== 'enabled') throw new ConflictException(`plugin ${pluginId} is disabled on this host: ${plugin.reason}`);
    const saved = await this.dataSource.transaction(async (manager) => {
      const current = await this.installations.lock(pluginId, dealerId, manager);
      const next: StoredInstallation = {
        enabled: dto.enabled ?? current.enabled,
        ...(dto.settings ? this.applySettings(plugin, current, dto.settings) : { settings: current.settings, secrets: current.secrets }),
      };
      await this.installations.save(pluginId, dealerId, next, manager);
      return next;
    });
    return this.view(plugin, saved);
  }

  /** The new settings: given ones replace the stored ones, except secrets, which stay unless replaced or cleared. */
  private applySettings(plugin: DiscoveredPlugin, current: StoredInstallation, given: Record<string, unknown>): Omit<StoredInstallation, 'enabled'> {
    const schema = plugin.manifest?.settings;
    const secret = new Set(secretNames(schema));
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = { ...current.secrets };
    for (const [name, value] of Object.entries(given)) {
      if (secret.has(name)) {
        if (value === null || (isSetMarker(value) && !value.set)) delete secrets[name];
        else if (!isSetMarker(value)) secrets[name] = value;
      } else if (value !== null) {
        settings[name] = value;
      }
    }
    const validate = this.validatorFor(plugin);
    if (!validate) {
      const names = Object.keys({ ...settings, ...secrets });
      if (names.length) throw new ValidationProblem(names.map((name) => ({ field: `settings.${name}`, message: 'this plugin has no settings' })));
    } else if (!validate({ ...settings, ...secrets })) {
      throw new ValidationProblem(settingsErrors(validate.errors));
    }
    return { settings, secrets: secrets as Record<string, string> };
  }

  private validatorFor(plugin: DiscoveredPlugin): ValidateFunction | undefined {
    const schema = plugin.manifest?.settings;
    if (!schema) return undefined;
    let validate = this.validators.get(plugin.id);
    if (!validate) {
      validate = compileDealerSettings(schema, Object.keys(hostSettings(schema, process.env)));
      this.validators.set(plugin.id, validate);
    }
    return validate;
  }

  private view(plugin: DiscoveredPlugin, installation: StoredInstallation | undefined): DealerPluginView {
    const schema = plugin.manifest?.settings;
    const enabled = installation?.enabled ?? true;
    const settings: Record<string, unknown> = { ...installation?.settings };
    for (const name of secretNames(schema)) settings[name] = { set: installation?.secrets[name] !== undefined };
    const reason = plugin.state !== 'enabled' ? plugin.reason : enabled ? undefined : 'switched off for this dealer';
    return {
      id: plugin.id,
      kind: plugin.manifest?.kind,
      version: plugin.manifest?.version,
      displayName: plugin.manifest?.displayName,
      description: plugin.manifest?.description,
      ...(plugin.definition?.kind === 'channel' ? { channel: plugin.definition.channel } : {}),
      state: plugin.state === 'enabled' && enabled ? 'enabled' : 'disabled',
      ...(reason ? { reason } : {}),
      enabled,
      settings,
      ...(schema && plugin.state === 'enabled' ? { settingsSchema: schema } : {}),
    };
  }

  /** Another dealer's id, or one that does not exist, is not found; a role without the right gets 403 on its own dealer. */
  private async assertDealer(principal: Principal, dealerId: string, action: 'read' | 'update'): Promise<void> {
    const found = await this.dataSource.query('SELECT 1 FROM dealers WHERE id = $1', [dealerId]);
    if (!found.length) throw new NotFoundException('dealer not found');
    if (this.access.can(principal, action, 'Plugin', { dealerId })) return;
    if (principal.dealerId === dealerId) throw new ForbiddenException(`a ${principal.role} may not ${action} this dealer's plugins`);
    throw new NotFoundException('dealer not found');
  }
}
