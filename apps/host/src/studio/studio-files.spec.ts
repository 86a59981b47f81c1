import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMMUTABLE, NO_CACHE, StudioFiles } from './studio-files';

describe('StudioFiles', () => {
  let dist: string;
  beforeEach(() => {
    dist = join(mkdtempSync(join(tmpdir(), 'studio-files-')), 'dist');
  });
  afterEach(() => rmSync(join(dist, '..'), { recursive: true, force: true }));

  function build() {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'export {}');
    writeFileSync(join(dist, 'robots.txt'), '');
    writeFileSync(join(dist, '..', 'secret.txt'), 'outside');
  }

  it('says the studio is not built when there is no index.html', () => {
    expect(new StudioFiles(dist).resolve('')).toEqual({ kind: 'not-built', dist });
  });

  it('serves hashed assets as immutable, other files and index.html as no-cache', () => {
    build();
    const files = new StudioFiles(dist);
    expect(files.resolve('assets/index-abc123.js')).toEqual({ kind: 'file', path: join(dist, 'assets', 'index-abc123.js'), cacheControl: IMMUTABLE });
    expect(files.resolve('robots.txt')).toEqual({ kind: 'file', path: join(dist, 'robots.txt'), cacheControl: NO_CACHE });
    expect(files.resolve('')).toEqual({ kind: 'file', path: join(dist, 'index.html'), cacheControl: NO_CACHE });
  });

  it('answers index.html for screens of the app and nothing for missing files', () => {
    build();
    const files = new StudioFiles(dist);
    expect(files.resolve('templates/0193-abc')).toMatchObject({ kind: 'file', path: join(dist, 'index.html') });
    expect(files.resolve('assets/gone-123.js')).toEqual({ kind: 'missing' });
    expect(files.resolve('favicon.ico')).toEqual({ kind: 'missing' });
  });

  it('never leaves the build folder', () => {
    build();
    const files = new StudioFiles(dist);
    expect(files.resolve('../secret.txt')).toEqual({ kind: 'missing' });
    expect(files.resolve('assets/../../secret.txt')).toEqual({ kind: 'missing' });
  });
});
