/** What the host hands a plugin. Plugins never touch the database or process.env directly. */
export interface PluginLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** The date a step acts for: the scheduler passes today, a simulation any day. */
export interface PluginClock {
  now(): Date;
}

/** A small persistent key-value store, private to the plugin (and to the dealer, for per-dealer clients). */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface RenderOutput {
  html: string;
  text?: string;
}

/** The host's renderer: compiled templates are cached by the host; merges are escaped Liquid. */
export interface PluginRenderer {
  /** Compiles MJML to HTML (cached by content); throws with the MJML errors if invalid. */
  mjml(source: string): string;
  /** Merges data into a Liquid template with escaping and limits on. */
  merge(template: string, data: Record<string, unknown>): Promise<string>;
  /** Plain-text alternative of an HTML document. */
  text(html: string): string;
}

export interface PluginContext<Settings = Record<string, unknown>> {
  pluginId: string;
  /** Set when the host built this client for one dealer; clients are never shared across dealers. */
  dealerId?: string;
  /** Validated settings with defaults applied and secrets decrypted. */
  settings: Settings;
  logger: PluginLogger;
  clock: PluginClock;
  renderer: PluginRenderer;
  store: KeyValueStore;
  /** Base of every link put in a message (PUBLIC_URL). */
  publicUrl: string;
}
