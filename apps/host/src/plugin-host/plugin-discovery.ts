import type { PluginDefinition, PluginManifest } from '@forecourt/sdk';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { projectRoot, RUNNING_COMPILED } from '../config/project-root';
import { provideSdkToPlugins } from './sdk-alias';

export interface DiscoveredPlugin {
  /** The manifest id, or the folder/package name when the manifest could not be read. */
  id: string;
  manifest?: PluginManifest;
  source: string;
  state: 'enabled' | 'disabled';
  reason?: string;
  definition?: PluginDefinition;
}

/** plugins/* (but the SDK itself) and every FORECOURT_PLUGINS entry: an npm package name or a folder path. */
export function pluginSources(extra: string[]): string[] {
  const dir = join(projectRoot(), 'plugins');
  const local = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== 'sdk' && existsSync(join(dir, d.name, 'package.json')))
        .map((d) => join(dir, d.name))
        .sort()
    : [];
  return [...local, ...extra];
}

function packageDir(source: string): string {
  if (isAbsolute(source) || source.startsWith('.')) return resolve(source);
  return resolve(require.resolve(`${source}/package.json`, { paths: [projectRoot()] }), '..');
}

/** In-repo TypeScript plugins run from their compiled copy under dist/ in a built host. */
function entryFile(dir: string, main: string): string {
  const file = join(dir, main);
  if (!file.endsWith('.ts')) return file;
  if (!RUNNING_COMPILED) return file;
  return join(projectRoot(), 'dist', file.slice(projectRoot().length + 1).replace(/\.ts$/, '.js'));
}

/**
 * Loads one plugin. Whatever goes wrong (no manifest, bad manifest, code that throws) leaves
 * the plugin disabled with the reason; the host runs on.
 */
export function loadPlugin(source: string, validate: (manifest: unknown) => string | undefined): DiscoveredPlugin {
  let id = source.split(/[\\/]/).pop() ?? source;
  try {
    const dir = packageDir(source);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    id = pkg.forecourt?.id ?? pkg.name ?? id;
    const manifest = { ...pkg.forecourt, version: pkg.version } as PluginManifest;
    const problem = pkg.forecourt ? validate(manifest) : 'package.json has no "forecourt" manifest';
    if (problem) return { id, source, state: 'disabled', reason: problem, manifest: pkg.forecourt ? manifest : undefined };
    provideSdkToPlugins();
    const loaded = require(entryFile(dir, pkg.main ?? 'index.js'));
    const definition: PluginDefinition | undefined = loaded?.default ?? loaded;
    if (!definition || definition.kind !== manifest.kind) {
      return { id, source, manifest, state: 'disabled', reason: `its code does not export a ${manifest.kind} definition (use define${manifest.kind[0].toUpperCase()}${manifest.kind.slice(1)}())` };
    }
    return { id, source, manifest, state: 'enabled', definition };
  } catch (error) {
    return { id, source, state: 'disabled', reason: `failed to load: ${(error as Error).message}` };
  }
}
