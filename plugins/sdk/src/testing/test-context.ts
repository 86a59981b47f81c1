import type { KeyValueStore, PluginContext, PluginLogger, PluginRenderer } from '../context';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/** A context for tests: what a plugin logged is kept in `logs`, so a test can check no secret is ever logged. */
export interface TestContext<Settings> extends PluginContext<Settings> {
  logs: LogLine[];
}

export interface TestContextOptions<Settings> extends Partial<Omit<PluginContext<Settings>, 'settings'>> {
  /** The instant the fixed clock answers; ignored when `clock` is given. */
  now?: Date;
}

/** Keeps values as the host's store does: as JSON, so a test sees what a real round trip gives back. */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const value = this.values.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, JSON.stringify(value ?? null));
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

/**
 * Stands in when the caller passed no renderer. A renderer that only looks like the host's would
 * let a plugin pass its tests and fail in the host, so any use is an error naming the fix.
 */
const missingRenderer: PluginRenderer = {
  mjml: () => missing('mjml'),
  merge: async () => missing('merge'),
  text: () => missing('text'),
};

function missing(method: string): never {
  throw new Error(`the plugin called renderer.${method}(); pass the host's renderer to makeTestContext(settings, { renderer })`);
}

/**
 * A PluginContext for tests: a logger that writes nothing (lines are kept in `logs`), a clock fixed at
 * `now` (2026-01-15T09:00:00Z unless given), an in-memory store, and the renderer the caller passes.
 */
export function makeTestContext<Settings = Record<string, unknown>>(
  settings: Settings,
  options: TestContextOptions<Settings> = {},
): TestContext<Settings> {
  const { now = new Date('2026-01-15T09:00:00Z'), ...overrides } = options;
  const logs: LogLine[] = [];
  const line = (level: LogLine['level']) => (message: string, data?: Record<string, unknown>) => {
    logs.push(data === undefined ? { level, message } : { level, message, data });
  };
  const logger: PluginLogger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  const fixed = new Date(now.getTime());
  return {
    pluginId: 'test-plugin',
    dealerId: '00000000-0000-4000-8000-000000000001',
    publicUrl: 'http://localhost:3000',
    logger,
    clock: { now: () => new Date(fixed.getTime()) },
    renderer: missingRenderer,
    store: new MemoryStore(),
    ...overrides,
    settings,
    logs,
  };
}
