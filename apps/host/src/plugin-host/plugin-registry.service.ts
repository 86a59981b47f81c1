import type { ChannelClient, ChannelDefinition, PluginContext, PluginRenderer, SettingsSchema } from '@forecourt/sdk';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { HealthService } from '../health/health.service';
import { DiscoveredPlugin, loadPlugin, pluginSources } from './plugin-discovery';
import { manifestProblem } from './manifest.validation';
import { PluginStore } from './plugin-store';

export const PLUGIN_RENDERER = Symbol('PLUGIN_RENDERER');

export interface ChannelEntry {
  pluginId: string;
  definition: ChannelDefinition<any>;
  settingsSchema?: SettingsSchema;
}

/** Defaults from the schema, then host environment variables the schema names (`env`). */
export function hostSettings(schema: SettingsSchema | undefined, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.default !== undefined) out[name] = prop.default;
    if (prop.env && env[prop.env] !== undefined && env[prop.env] !== '') out[name] = env[prop.env];
  }
  return out;
}

/**
 * Discovers plugins at boot and builds provider clients per (plugin, dealer, settings), never
 * sharing one across dealers.
 */
@Injectable()
export class PluginRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Plugins');
  private plugins: DiscoveredPlugin[] = [];
  private readonly clients = new Map<string, Promise<ChannelClient>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
    @Optional() @Inject(PLUGIN_RENDERER) private readonly renderer?: PluginRenderer,
  ) {}

  onModuleInit(): void {
    const seen = new Set<string>();
    const seenChannels = new Set<string>();
    this.plugins = pluginSources(this.config.extraPlugins).map((source) => {
      const plugin = loadPlugin(source, manifestProblem);
      if (plugin.state === 'enabled' && seen.has(plugin.id)) {
        return { ...plugin, state: 'disabled' as const, definition: undefined, reason: `another plugin already has the id ${plugin.id}` };
      }
      if (plugin.definition?.kind === 'channel') {
        if (seenChannels.has(plugin.definition.channel)) {
          return { ...plugin, state: 'disabled' as const, definition: undefined, reason: `channel "${plugin.definition.channel}" is already provided` };
        }
        seenChannels.add(plugin.definition.channel);
      }
      seen.add(plugin.id);
      return plugin;
    });
    for (const p of this.plugins.filter((p) => p.state === 'disabled')) this.logger.warn(`plugin ${p.id} disabled: ${p.reason}`);
    this.health.register('plugins', async () => ({
      enabled: this.plugins.filter((p) => p.state === 'enabled').length,
      disabled: this.plugins.filter((p) => p.state === 'disabled').map((p) => ({ id: p.id, reason: p.reason })),
    }));
  }

  async onModuleDestroy(): Promise<void> {
    for (const client of this.clients.values()) await (await client.catch(() => undefined))?.close?.().catch(() => undefined);
    this.clients.clear();
  }

  list(): DiscoveredPlugin[] {
    return this.plugins;
  }

  channel(name: string): ChannelEntry | undefined {
    const plugin = this.plugins.find((p) => p.state === 'enabled' && p.definition?.kind === 'channel' && p.definition.channel === name);
    if (!plugin) return undefined;
    return { pluginId: plugin.id, definition: plugin.definition as ChannelDefinition<any>, settingsSchema: plugin.manifest?.settings };
  }

  channels(): ChannelEntry[] {
    return this.plugins
      .filter((p) => p.state === 'enabled' && p.definition?.kind === 'channel')
      .map((p) => this.channel((p.definition as ChannelDefinition).channel)!);
  }

  /** The dealer's settings for a plugin: host defaults overlaid with the dealer's installation. */
  async settingsFor(pluginId: string, dealerId: string): Promise<Record<string, unknown>> {
    const plugin = this.plugins.find((p) => p.id === pluginId);
    const [installation] = await this.dataSource.query('SELECT settings FROM plugin_installations WHERE plugin_id = $1 AND dealer_id = $2', [
      pluginId,
      dealerId,
    ]);
    return { ...hostSettings(plugin?.manifest?.settings, process.env), ...(installation?.settings ?? {}) };
  }

  /** A client for one dealer, cached per (plugin, dealer, settings hash). */
  async clientFor(channel: string, dealerId: string, clock: () => Date = () => new Date()): Promise<ChannelClient> {
    const entry = this.channel(channel);
    if (!entry) throw new Error(`no enabled plugin provides the channel "${channel}"`);
    const settings = await this.settingsFor(entry.pluginId, dealerId);
    const key = `${entry.pluginId}:${dealerId}:${createHash('sha256').update(JSON.stringify(settings)).digest('hex')}`;
    let client = this.clients.get(key);
    if (!client) {
      client = Promise.resolve(entry.definition.createClient(this.contextFor(entry.pluginId, dealerId, settings, clock)));
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private contextFor(pluginId: string, dealerId: string, settings: Record<string, unknown>, clock: () => Date): PluginContext {
    const logger = new Logger(`plugin:${pluginId}`);
    const line = (message: string, data?: Record<string, unknown>) => (data ? `${message} ${JSON.stringify(data)}` : message);
    if (!this.renderer) throw new Error('the rendering module provides no PLUGIN_RENDERER');
    return {
      pluginId,
      dealerId,
      settings,
      publicUrl: this.config.publicUrl,
      logger: {
        debug: (m, d) => logger.debug(line(m, d)),
        info: (m, d) => logger.log(line(m, d)),
        warn: (m, d) => logger.warn(line(m, d)),
        error: (m, d) => logger.error(line(m, d)),
      },
      clock: { now: clock },
      renderer: this.renderer,
      store: new PluginStore(this.dataSource, pluginId, dealerId),
    };
  }
}
