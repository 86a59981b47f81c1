import type { BatchResult, ChannelClient, OutgoingMessage, PluginClock, PluginLogger, SendResult } from '@forecourt/sdk';
import { PermanentSendError } from '@forecourt/sdk';
import { PDFDocument } from 'pdf-lib';
import type { Page } from 'puppeteer-core';
import { LaunchedChromium, launchChromium, resolveChromium } from './chromium';
import { AddressedLetter, batchDocument, byPostalCode, completeAddress } from './letter.layout';
import { letterPageSpans, mergePdfs } from './letter.pdf';

export const DEFAULT_PRICE_PER_PAGE_CENTS = 45;
export const DEFAULT_LETTERS_PER_BROWSER_PAGE = 200;
export const DEFAULT_BROWSER_IDLE_SECONDS = 120;

export interface LetterSettings {
  /** CHROMIUM_PATH; unset: a system Chromium, else the packaged one. */
  chromiumPath?: string;
  pricePerPageCents?: number;
  /** Letters laid out in one HTML document and printed in one go; bounds the browser's memory. */
  lettersPerBrowserPage?: number;
  /** The browser is closed after this long without work and started again on the next batch. */
  browserIdleSeconds?: number;
}

export interface SingleLetter {
  pdf: Buffer;
  pages: number;
}

const PDF_OPTIONS = { format: 'a4', printBackground: true, preferCSSPageSize: true, tagged: false, outline: false, timeout: 300_000 } as const;
/** Images (a brand logo) may load this long; then the letter prints with what it has. */
const CONTENT_TIMEOUT_MS = 30_000;

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * Letters for one dealer. A day's letters become one print file: sorted by postal code, laid
 * out many to a browser page, printed by one Chromium that the client starts when first needed,
 * reuses, and closes when idle or on close().
 */
export class LetterClient implements ChannelClient {
  private readonly pricePerPageCents: number;
  private readonly lettersPerBrowserPage: number;
  private readonly idleMs: number;
  private launched?: Promise<LaunchedChromium>;
  private page?: Page;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer?: NodeJS.Timeout;
  private pending = 0;
  private closed = false;

  constructor(
    private readonly settings: LetterSettings,
    private readonly logger: PluginLogger,
    private readonly clock: PluginClock = { now: () => new Date() },
  ) {
    this.pricePerPageCents = Math.round(positive(settings.pricePerPageCents, DEFAULT_PRICE_PER_PAGE_CENTS));
    this.lettersPerBrowserPage = Math.max(1, Math.floor(positive(settings.lettersPerBrowserPage, DEFAULT_LETTERS_PER_BROWSER_PAGE)));
    this.idleMs = positive(settings.browserIdleSeconds, DEFAULT_BROWSER_IDLE_SECONDS) * 1000;
  }

  async sendBatch(messages: OutgoingMessage[], options: { date: string }): Promise<BatchResult> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new Error(`date must be YYYY-MM-DD, got "${options.date}"`);
    const results: Record<string, SendResult> = {};
    const letters: AddressedLetter[] = [];
    for (const message of messages) {
      const address = completeAddress(message);
      if (address) letters.push({ message, address });
      else results[message.id] = { status: 'failed', reason: 'no postal address' };
    }
    if (!letters.length) return { results, artifacts: [] };
    letters.sort(byPostalCode);
    return this.exclusive(async () => {
      try {
        const { pdf, spans } = await this.printBatch(letters, options.date).catch(async (error: unknown) => {
          // A browser that died between or during batches is started again once before the batch gives up.
          this.logger.warn('letter batch failed; trying once more with a fresh Chromium', { reason: (error as Error).message });
          await this.shutdown();
          return this.printBatch(letters, options.date);
        });
        letters.forEach(({ message }, index) => {
          results[message.id] = { status: 'sent', units: spans[index], costCents: spans[index] * this.pricePerPageCents };
        });
        return {
          results,
          artifacts: [
            {
              kind: 'file' as const,
              fileName: `letters-${options.date}.pdf`,
              contentType: 'application/pdf',
              content: pdf,
              messages: letters.map(({ message }, index) => ({ id: message.id, pages: spans[index] })),
            },
          ],
        };
      } catch (error) {
        // Nothing was printed: the whole batch can safely be tried again.
        const reason = `printing failed: ${(error as Error).message}`;
        this.logger.error('letter batch failed', { letters: letters.length, date: options.date, reason });
        await this.page?.close().catch(() => undefined);
        this.page = undefined;
        for (const { message } of letters) results[message.id] = { status: 'retry', reason };
        return { results, artifacts: [] };
      }
    });
  }

  /**
   * One letter as its own PDF in a new browser page: the naive way, kept for the benchmark that
   * shows what batching saves.
   */
  renderSingle(message: OutgoingMessage, options: { date?: string } = {}): Promise<SingleLetter> {
    const address = completeAddress(message);
    if (!address) return Promise.reject(new PermanentSendError('no postal address'));
    const date = options.date ?? this.clock.now().toISOString().slice(0, 10);
    return this.exclusive(async () => {
      const { browser } = await this.session();
      const page = await browser.newPage();
      try {
        await page.setJavaScriptEnabled(false);
        const bytes = await this.print(page, batchDocument([{ message, address }], date));
        const doc = await PDFDocument.load(bytes);
        const [pages] = letterPageSpans(doc, 1);
        return { pdf: Buffer.from(bytes), pages };
      } finally {
        await page.close().catch(() => undefined);
      }
    });
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      const chromium = await resolveChromium(this.settings.chromiumPath);
      return { ok: true, detail: `${chromium.source} Chromium at ${chromium.executablePath}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.queue;
    await this.shutdown();
  }

  private async printBatch(letters: AddressedLetter[], date: string): Promise<{ pdf: Buffer; spans: number[] }> {
    const page = await this.batchPage();
    const chunks: { bytes: Uint8Array; doc: PDFDocument }[] = [];
    const spans: number[] = [];
    for (let start = 0; start < letters.length; start += this.lettersPerBrowserPage) {
      const chunk = letters.slice(start, start + this.lettersPerBrowserPage);
      const bytes = await this.print(page, batchDocument(chunk, date));
      const doc = await PDFDocument.load(bytes);
      spans.push(...letterPageSpans(doc, chunk.length));
      chunks.push({ bytes, doc });
    }
    const counted = spans.reduce((sum, pages) => sum + pages, 0);
    if (chunks.length === 1) {
      if (chunks[0].doc.getPageCount() !== counted) throw new Error(`the PDF has ${chunks[0].doc.getPageCount()} pages, the letters ${counted}`);
      return { pdf: Buffer.from(chunks[0].bytes), spans };
    }
    const pdf = await mergePdfs(
      chunks.map((c) => c.doc),
      `Letters ${date}`,
    );
    const printed = (await PDFDocument.load(pdf)).getPageCount();
    if (printed !== counted) throw new Error(`the merged PDF has ${printed} pages, the letters ${counted}`);
    return { pdf, spans };
  }

  private async print(page: Page, html: string): Promise<Uint8Array> {
    try {
      await page.setContent(html, { waitUntil: 'load', timeout: CONTENT_TIMEOUT_MS });
    } catch (error) {
      if ((error as Error).name !== 'TimeoutError') throw error;
      this.logger.warn('letter content still loading after the timeout; printing what has loaded', { timeoutMs: CONTENT_TIMEOUT_MS });
    }
    return page.pdf(PDF_OPTIONS);
  }

  /** The batch page, reused from chunk to chunk and batch to batch; letter HTML never runs scripts. */
  private async batchPage(): Promise<Page> {
    const { browser } = await this.session();
    if (!this.page || this.page.isClosed()) {
      this.page = await browser.newPage();
      await this.page.setJavaScriptEnabled(false);
    }
    return this.page;
  }

  private async session(): Promise<LaunchedChromium> {
    if (this.closed) throw new Error('the letter client is closed');
    if (this.launched) {
      const current = await this.launched.catch(() => undefined);
      if (current?.browser.connected) return current;
      this.logger.warn('Chromium is gone; starting a new one');
      await this.shutdown();
    }
    const launching = launchChromium({ chromiumPath: this.settings.chromiumPath });
    this.launched = launching;
    launching.then(
      ({ chromium }) => this.logger.info('Chromium started', { source: chromium.source, executablePath: chromium.executablePath }),
      () => {
        if (this.launched === launching) this.launched = undefined;
      },
    );
    return launching;
  }

  private async shutdown(): Promise<void> {
    const launched = this.launched;
    this.launched = undefined;
    this.page = undefined;
    await (await launched?.catch(() => undefined))?.close();
  }

  /** One job at a time on this client's browser; the browser goes when idle. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    clearTimeout(this.idleTimer);
    this.pending++;
    const run = this.queue.then(work, work);
    const done = () => {
      this.pending--;
      this.armIdle();
    };
    this.queue = run.then(done, done);
    return run;
  }

  private armIdle(): void {
    if (this.closed || this.pending > 0 || !this.launched) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.queue = this.queue.then(() => this.shutdown()).catch(() => undefined);
    }, this.idleMs);
    this.idleTimer.unref();
  }
}
