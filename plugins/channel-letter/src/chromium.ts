import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Browser } from 'puppeteer-core';

/** Where the Chromium in use came from. */
export type ChromiumSource = 'setting' | 'system' | 'packaged';

export interface ResolvedChromium {
  executablePath: string;
  source: ChromiumSource;
  /** Environment the browser needs beside the host's (fonts for the packaged build). */
  env: Record<string, string>;
}

/** Debian's and Ubuntu's names for the system Chromium, in order of preference. */
export const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Flags for a headless Chromium (puppeteer adds --headless) on a closed network in a container:
 * without the background-networking ones Chromium's own connections (updates, sync, field
 * trials) are refused and slow every start; no sandbox because containers run it as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-default-apps',
  '--mute-audio',
];

function runs(executablePath: string): { ok: true } | { ok: false; why: string } {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    return { ok: false, why: 'not an executable file' };
  }
  const probe = spawnSync(executablePath, ['--version'], { timeout: 20_000, encoding: 'utf8' });
  if (probe.error) return { ok: false, why: probe.error.message };
  if (probe.status !== 0) return { ok: false, why: `--version exited with ${probe.status}: ${(probe.stderr || probe.stdout).trim().slice(0, 300)}` };
  return { ok: true };
}

/** The packaged build uses the host's fontconfig when there is one, else its own fonts. */
function packagedEnv(): Record<string, string> {
  if (process.env.FONTCONFIG_PATH || existsSync('/etc/fonts/fonts.conf')) return {};
  return { FONTCONFIG_PATH: join(tmpdir(), 'fonts') };
}

const resolved = new Map<string, Promise<ResolvedChromium>>();

/**
 * Finds a Chromium that runs: the configured path (CHROMIUM_PATH) when one is given, and then
 * only that one, since a wrong setting should be reported, not papered over; else a system
 * Chromium (`systemPaths`); else the build inside the `@sparticuz/chromium` package, unpacked to
 * the temp folder on first use. Probed once per path and process.
 */
export function resolveChromium(configuredPath?: string, options: { systemPaths?: string[] } = {}): Promise<ResolvedChromium> {
  const systemPaths = options.systemPaths ?? SYSTEM_CHROMIUM_PATHS;
  const key = JSON.stringify([configuredPath?.trim() || '', systemPaths]);
  let result = resolved.get(key);
  if (!result) {
    result = findChromium(configuredPath?.trim() || undefined, systemPaths);
    result.catch(() => resolved.delete(key));
    resolved.set(key, result);
  }
  return result;
}

async function findChromium(configuredPath: string | undefined, systemPaths: string[]): Promise<ResolvedChromium> {
  if (configuredPath) {
    const probe = runs(configuredPath);
    if (!probe.ok) throw new Error(`CHROMIUM_PATH=${configuredPath} cannot be used: ${probe.why}`);
    return { executablePath: configuredPath, source: 'setting', env: {} };
  }
  const tried: string[] = [];
  for (const candidate of systemPaths) {
    if (!existsSync(candidate)) continue;
    const probe = runs(candidate);
    if (probe.ok) return { executablePath: candidate, source: 'system', env: {} };
    tried.push(`${candidate}: ${probe.why}`);
  }
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    const executablePath = await packaged.executablePath();
    const probe = runs(executablePath);
    if (probe.ok) return { executablePath, source: 'packaged', env: packagedEnv() };
    tried.push(`@sparticuz/chromium at ${executablePath}: ${probe.why}`);
  } catch (error) {
    tried.push(`@sparticuz/chromium: ${(error as Error).message}`);
  }
  throw new Error(
    `no usable Chromium: set CHROMIUM_PATH, or install one (apt-get install chromium), or install the npm package @sparticuz/chromium (tried ${tried.join('; ')})`,
  );
}

export interface LaunchedChromium {
  browser: Browser;
  chromium: ResolvedChromium;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/** Launches a headless Chromium with a fresh profile of its own (removed again on close). */
export async function launchChromium(options: { chromiumPath?: string; args?: string[] } = {}): Promise<LaunchedChromium> {
  const chromium = await resolveChromium(options.chromiumPath);
  const profile = mkdtempSync(join(tmpdir(), 'forecourt-chromium-'));
  try {
    const browser = await puppeteer.launch({
      executablePath: chromium.executablePath,
      headless: true,
      userDataDir: profile,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
      env: { ...process.env, ...chromium.env },
      protocolTimeout: 300_000,
    });
    return {
      browser,
      chromium,
      close: async () => {
        await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium at ${chromium.executablePath} (${chromium.source}) did not start: ${(error as Error).message}`);
  }
}
