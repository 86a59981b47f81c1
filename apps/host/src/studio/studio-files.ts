import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { projectRoot } from '../config/project-root';

/**
 * What the studio's pages may do. GrapesJS styles its canvas and panels inline, and so does e-mail
 * HTML ('unsafe-inline' for styles only; no script runs that the build did not ship); logos and
 * images come from anywhere or inline. The canvas (about:blank) and the previews (srcdoc) inherit
 * this policy, so a previewed message can load images and nothing else; nothing may frame the studio.
 */
export const STUDIO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https: http:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite's output names carry a content hash: they never change, so browsers may keep them. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always asked again. */
export const NO_CACHE = 'no-cache';

export type StudioFile = { kind: 'file'; path: string; cacheControl: string } | { kind: 'missing' } | { kind: 'not-built'; dist: string };

/** The built studio (`studio/dist`, made by `npm run build`). */
export class StudioFiles {
  constructor(readonly dist: string = join(projectRoot(), 'studio', 'dist')) {}

  /**
   * The file for a path below /studio: an existing file as is; a path without a file extension is
   * a screen of the single-page app and gets index.html; anything else is missing.
   */
  resolve(relative: string): StudioFile {
    const index = join(this.dist, 'index.html');
    if (!existsSync(index)) return { kind: 'not-built', dist: this.dist };
    const clean = normalize(`/${relative}`).replace(/^[/\\]+/, '');
    const path = join(this.dist, clean);
    if (clean && (path === this.dist || path.startsWith(this.dist + sep)) && isFile(path)) {
      return { kind: 'file', path, cacheControl: clean.startsWith(`assets${sep}`) ? IMMUTABLE : NO_CACHE };
    }
    if (clean.startsWith('assets') || extname(clean)) return { kind: 'missing' };
    return { kind: 'file', path: index, cacheControl: NO_CACHE };
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
