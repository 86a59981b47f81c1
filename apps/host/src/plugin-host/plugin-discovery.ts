import type { PluginDefinition, PluginManifest } from '@forecourt/sdk';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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

/** A problem whose message already says what is wrong, without the "failed to load" of a crash. */
class PluginLoadProblem extends Error {}

function readPackageJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PluginLoadProblem(`no package.json in ${dirname(file)}`);
  }
  try {
    const pkg = JSON.parse(text);
    if (pkg && typeof pkg === 'object' && !Array.isArray(pkg)) return pkg;
  } catch (error) {
    throw new PluginLoadProblem(`package.json is not valid JSON: ${(error as Error).message}`);
  }
  throw new PluginLoadProblem('package.json must hold a JSON object');
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
    const pkg = readPackageJson(join(dir, 'package.json'));
    const block = pkg.forecourt && typeof pkg.forecourt === 'object' && !Array.isArray(pkg.forecourt) ? (pkg.forecourt as Record<string, unknown>) : undefined;
    if (typeof block?.id === 'string') id = block.id;
    else if (typeof pkg.name === 'string') id = pkg.name;
    const manifest = block ? ({ ...block, version: pkg.version } as unknown as PluginManifest) : undefined;
    const problem = pkg.forecourt === undefined ? 'package.json has no "forecourt" manifest' : validate(manifest ?? pkg.forecourt);
    if (problem || !manifest) return { id, source, state: 'disabled', reason: problem ?? 'forecourt: must be an object', manifest };
    provideSdkToPlugins();
    const loaded = require(entryFile(dir, typeof pkg.main === 'string' ? pkg.main : 'index.js'));
    const definition: PluginDefinition | undefined = loaded?.default ?? loaded;
    if (!definition || definition.kind !== manifest.kind) {
      return { id, source, manifest, state: 'disabled', reason: `its code does not export a ${manifest.kind} definition (use define${manifest.kind[0].toUpperCase()}${manifest.kind.slice(1)}())` };
    }
    return { id, source, manifest, state: 'enabled', definition };
  } catch (error) {
    const reason = error instanceof PluginLoadProblem ? error.message : `failed to load: ${(error as Error)?.message ?? String(error)}`;
    return { id, source, state: 'disabled', reason };
  }
}
