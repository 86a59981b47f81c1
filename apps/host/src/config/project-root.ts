import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The checkout's root (where package.json names "forecourt"), from src under jest and from dist alike. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (dirname(dir) !== dir) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'forecourt') return (cached = dir);
    dir = dirname(dir);
  }
  throw new Error('cannot find the Forecourt project root above ' + __dirname);
}

/** True when running the compiled build (dist/…/*.js) rather than TypeScript sources under jest. */
export const RUNNING_COMPILED = __filename.endsWith('.js');
