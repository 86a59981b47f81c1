/// <reference lib="dom" />
import type { BrowserContextOptions, Page } from 'puppeteer-core';
import type { LaunchedChromium } from '../../plugins/channel-letter/src/chromium';
import { PASSWORD } from './network.fixture';

/**
 * A fresh page in its own browser context (its own session storage), every console line and
 * script error collected into `consoleLines` for the final check on CSP violations and errors.
 */
export async function openPage(chromium: LaunchedChromium, consoleLines: string[], options: BrowserContextOptions = {}): Promise<Page> {
  const context = await chromium.browser.createBrowserContext(options);
  const page = await context.newPage();
  await page.setViewport({ width: 1440, height: 960 });
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${(error as Error).message}`));
  return page;
}

/** Logs in through the studio's own form. */
export async function logIn(page: Page, baseUrl: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/studio/`);
  await page.waitForSelector('#login-form');
  await page.type('input[name=email]', email);
  await page.type('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
}

/** The console lines that are CSP violations or errors. */
export const browserProblems = (lines: string[]) => lines.filter((line) => /^(error|pageerror)|Content Security Policy|Refused to/i.test(line));
