import type { ChannelClient, ChannelDefinition, PluginContext, PluginRenderer, SettingsProperty, SettingsSchema } from '@forecourt/sdk';
import { PermanentSendError } from '@forecourt/sdk';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { HealthService } from '../health/health.service';
import { DiscoveredPlugin, loadPlugin, pluginSources } from './plugin-discovery';
import { manifestProblem } from './manifest.validation';
import { PluginInstallationRepository } from './plugin-installation.repository';
import { PluginStore } from './plugin-store';
import { secretNames, settingsAjv, settingsErrors } from './settings.validation';

export const PLUGIN_RENDERER = Symbol('PLUGIN_RENDERER');

export interface ChannelEntry {
  pluginId: string;
  definition: ChannelDefinition<any>;
  settingsSchema?: SettingsSchema;
}

/** A host variable read as the setting's type ("587" for an integer is 587); a value that is not one stays text, for validation to name. */
function fromEnv(prop: SettingsProperty, value: string): unknown {
  if (prop.type === 'integer' || prop.type === 'number') return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  if (prop.type === 'boolean') return ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[value] ?? value;
  return value;
}

/** Defaults from the schema, then host environment variables the schema names (`env`). */
export function hostSettings(schema: SettingsSchema | undefined, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    if (prop.default !== undefined) out[name] = prop.default;
    const value = prop.env ? env[prop.env] : undefined;
    if (value !== undefined && value !== '') out[name] = fromEnv(prop, value);
  }
  return out;
}

/** A channel a dealer switched off, or has not given the settings it needs: the flow falls back to its next channel. */
export class ChannelUnavailableError extends PermanentSendError {}

/** JSON with sorted keys, so equal settings read in another order give the same fingerprint. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Replaces every secret setting's value in a text: what a plugin logs or throws never shows one. */
export function secretRedactor(schema: SettingsSchema | undefined, settings: Record<string, unknown>): (text: string) => string {
  const values = secretNames(schema)
    .map((name) => settings[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4)
    .sort((a, b) => b.length - a.length);
  if (!values.length) return (text) => text;
  return (text) => values.reduce((out, value) => out.split(value).join('[secret]'), text);
}

/** A client replaced by new settings is closed after this long, so sends already under way finish. */
const RETIRE_AFTER_MS = 60_000;

/**
 * Discovers plugins at boot and builds provider clients per (plugin, dealer, settings), never
 * sharing one across dealers.
 */
@Injectable()
export class PluginRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Plugins');
  private plugins: DiscoveredPlugin[] = [];
  private readonly clients = new Map<string, Promise<ChannelClient>>();
  private readonly retiring = new Set<Promise<ChannelClient>>();
  /** Keys the settings fingerprints: the cache key says when settings changed, never what they are. */
  private readonly fingerprintKey = randomBytes(32);

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
    private readonly installations: PluginInstallationRepository,
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
    const all = [...this.clients.values(), ...this.retiring];
    this.clients.clear();
    this.retiring.clear();
    for (const client of all) await closeClient(client);
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

  /**
   * The dealer's settings for a plugin: host defaults and variables overlaid with the dealer's
   * installation, secrets decrypted. For building clients only: never log or return them.
   */
  async settingsFor(pluginId: string, dealerId: string): Promise<Record<string, unknown>> {
    return (await this.installationFor(pluginId, dealerId)).settings;
  }

  private async installationFor(pluginId: string, dealerId: string): Promise<{ enabled: boolean; settings: Record<string, unknown> }> {
    const plugin = this.plugins.find((p) => p.id === pluginId);
    const installation = await this.installations.find(pluginId, dealerId);
    return {
      enabled: installation?.enabled ?? true,
      settings: { ...hostSettings(plugin?.manifest?.settings, process.env), ...installation?.settings, ...installation?.secrets },
    };
  }

  /**
   * A client for one dealer, cached per (plugin, dealer, settings fingerprint): new settings (a
   * changed secret too) build a new client, and the one they replace is closed a while later.
   * Throws ChannelUnavailableError when the dealer switched the channel off or its settings are
   * incomplete; the error names the settings, never their values.
   */
  async clientFor(channel: string, dealerId: string, clock: () => Date = () => new Date()): Promise<ChannelClient> {
    const entry = this.channel(channel);
    if (!entry) throw new Error(`no enabled plugin provides the channel "${channel}"`);
    const { enabled, settings } = await this.installationFor(entry.pluginId, dealerId);
    if (!enabled) throw new ChannelUnavailableError(`the ${channel} channel is switched off for dealer ${dealerId}`);
    if (entry.settingsSchema) {
      const validate = settingsAjv.compile(entry.settingsSchema);
      if (!validate(settings)) {
        const problems = settingsErrors(validate.errors).map((e) => `${e.field}: ${e.message}`);
        throw new ChannelUnavailableError(`the ${channel} channel is not set up for dealer ${dealerId}: ${problems.join('; ')}`);
      }
    }
    const prefix = `${entry.pluginId}:${dealerId}:`;
    const key = prefix + createHmac('sha256', this.fingerprintKey).update(stableJson(settings)).digest('base64url');
    let client = this.clients.get(key);
    if (!client) {
      for (const [other, replaced] of this.clients) if (other.startsWith(prefix)) this.retire(other, replaced);
      const redact = secretRedactor(entry.settingsSchema, settings);
      const context = this.contextFor(entry.pluginId, dealerId, settings, clock, redact);
      client = (async () => {
        try {
          return await entry.definition.createClient(context);
        } catch (error) {
          throw redactError(error, redact);
        }
      })();
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  private retire(key: string, client: Promise<ChannelClient>): void {
    this.clients.delete(key);
    this.retiring.add(client);
    setTimeout(() => {
      if (this.retiring.delete(client)) void closeClient(client);
    }, RETIRE_AFTER_MS).unref();
  }

  private contextFor(
    pluginId: string,
    dealerId: string,
    settings: Record<string, unknown>,
    clock: () => Date,
    redact: (text: string) => string,
  ): PluginContext {
    const logger = new Logger(`plugin:${pluginId}`);
    const line = (message: string, data?: Record<string, unknown>) => redact(data ? `${message} ${JSON.stringify(data)}` : message);
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

async function closeClient(client: Promise<ChannelClient>): Promise<void> {
  await (await client.catch(() => undefined))?.close?.().catch(() => undefined);
}

/** The plugin's own error, its message and stack cleared of secret values (its class is kept: the SDK's errors mean something). */
function redactError(error: unknown, redact: (text: string) => string): unknown {
  if (!(error instanceof Error)) return new Error(redact(String(error)));
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  return error;
}
