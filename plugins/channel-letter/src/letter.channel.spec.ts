import type { OutgoingMessage } from '@forecourt/sdk';
import { runChannelContract } from '@forecourt/sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { LaunchedChromium } from './chromium';
import letterChannel, { LetterClient, resolveChromium } from './index';
import { batchDocument, byPostalCode, completeAddress, cssString, letterContent } from './letter.layout';
import { destinationPages } from './letter.pdf';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const SENDER = { name: 'Autohaus Vela', street: 'Kanaalweg 12', postalCode: '3526 KL', city: 'Utrecht', country: 'NL' };
const DATE = '2026-05-12';

let seq = 0;
function letter(name: string, address: Partial<OutgoingMessage['to']['address']> | undefined, paragraphs = 3, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    dealerId: '11111111-1111-4111-8111-111111111111',
    channel: 'letter',
    to: { name, locale: 'nl', address: address as OutgoingMessage['to']['address'] },
    data: { sender: SENDER },
    html: `<p>Beste ${name},</p>${'<p>Uw auto moet binnenkort weer gekeurd worden. Maak eenvoudig een afspraak via onze website of bel ons gerust.</p>'.repeat(paragraphs)}`,
    ...extra,
  };
}

/** The client's browser, for the tests about its life cycle. */
const browserOf = async (client: LetterClient) => (await (client as unknown as { launched: Promise<LaunchedChromium> }).launched).browser;

const nl = (street: string, postalCode: string, city = 'Utrecht') => ({ street, postalCode, city, country: 'NL' });

runChannelContract('letter', {
  definition: letterChannel,
  settings: {},
  sampleMessage: () => letter('Anna de Vries', nl('Kade 1', '3511 AB')),
  expectDelivered: (result) => expect(result).toEqual({ status: 'sent', units: 1, costCents: 45 }),
  batchDate: DATE,
  timeoutMs: 60_000,
});

describe('letter layout', () => {
  it('needs street, postal code, city and country for a postal address', () => {
    expect(completeAddress(letter('A', nl('Kade 1', '3511 AB')))).toEqual(nl('Kade 1', '3511 AB'));
    expect(completeAddress(letter('A', { street: 'Kade 1', postalCode: ' ', city: 'Utrecht', country: 'NL' }))).toBeUndefined();
    expect(completeAddress(letter('A', { street: 'Kade 1', postalCode: '3511 AB', city: 'Utrecht' }))).toBeUndefined();
    expect(completeAddress(letter('A', undefined))).toBeUndefined();
    expect(completeAddress(letter('A', { street: ' Kade  1 ', postalCode: '3511 AB', city: 'Utrecht', country: 'nl' }))?.country).toBe('NL');
  });

  it('orders by country, then postal code ignoring spaces and case', () => {
    const letters = [
      letter('de', { street: 'Hauptstr. 1', postalCode: '10115', city: 'Berlin', country: 'DE' }),
      letter('nl-9', nl('a', '9711 AA')),
      letter('nl-1', nl('a', '1011ab')),
      letter('nl-1b', nl('a', '1011 AC')),
    ].map((message) => ({ message, address: completeAddress(message)! }));
    expect(letters.sort(byPostalCode).map((l) => l.message.to.name)).toEqual(['de', 'nl-1', 'nl-1b', 'nl-9']);
  });

  it('escapes what it writes into the page and keeps the letter HTML in its own shadow root', () => {
    const message = letter('<img src=x onerror=alert(1)>', nl('<b>Kade</b> 1', '3511 AB'), 1, {
      subject: 'A & B',
      html: '<html><head><style>body { color: red } html body p, .x{color:blue}</style></head><body class="b"><p>Hi</p></template><p>after</p></body></html>',
    });
    const html = batchDocument([{ message, address: completeAddress(message)! }], DATE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;Kade&lt;/b&gt; 1');
    expect(html).toContain('A &amp; B');
    const content = letterContent(message);
    expect(content).toContain('.fc-body { color: red }');
    expect(content).toContain('.fc-html .fc-body p, .x{color:blue}');
    expect(content.match(/<\/template>/g)).toHaveLength(1);
    expect(content).toMatch(/^<template shadowrootmode="open">.*<p>Hi<\/p><p>after<\/p>.*<\/template>$/s);
  });

  it('writes footer text as a CSS string that cannot leave the style element', () => {
    expect(cssString('a "b" \\ </style>\nline 2')).toBe('"a \\22 b\\22  \\5c  \\3c /style\\3e \\A line 2"');
  });

  it('prints the country line only for letters abroad', () => {
    const home = letter('home', nl('Kade 1', '3511 AB'));
    const abroad = letter('abroad', { street: 'Hauptstr. 1', postalCode: '10115', city: 'Berlin', country: 'DE' });
    const html = batchDocument([home, abroad].map((message) => ({ message, address: completeAddress(message)! })), DATE);
    expect(html).toContain('<div>GERMANY</div>');
    expect(html).not.toContain('NETHERLANDS');
  });
});

describe('channel-letter definition', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).forecourt;

  it('is a batched channel reaching postal addresses under letter consent, priced per page', () => {
    expect(letterChannel).toMatchObject({ kind: 'channel', channel: 'letter', reach: 'postal-address', consentChannel: 'letter', batched: true, unitCostCents: 45 });
    expect(manifest).toMatchObject({ id: 'channel-letter', kind: 'channel', sdk: '^1.0.0' });
    expect(manifest.settings.properties.chromiumPath.env).toBe('CHROMIUM_PATH');
    expect(manifest.settings.properties.pricePerPageCents.default).toBe(letterChannel.unitCostCents);
  });
});

describe('letter client with Chromium', () => {
  let client: LetterClient;
  beforeAll(() => {
    client = new LetterClient({ pricePerPageCents: 50 }, quiet);
  });
  afterAll(() => client.close());

  it('prints a batch sorted by postal code into one file whose pages are the sum of the letters', async () => {
    const messages = [
      letter('Zoë', nl('Weg 3', '9711 AA', 'Groningen')),
      letter('Long', nl('Laan 2', '3511 AB'), 40),
      letter('Nowhere', undefined),
      letter('Amsterdam', nl('Dam 1', '1012 JS', 'Amsterdam')),
    ];
    const { results, artifacts } = await client.sendBatch(messages, { date: DATE });
    expect(results[messages[2].id]).toEqual({ status: 'failed', reason: 'no postal address' });
    expect(artifacts).toHaveLength(1);
    const [file] = artifacts;
    expect(file).toMatchObject({ kind: 'file', fileName: `letters-${DATE}.pdf`, contentType: 'application/pdf' });
    expect(file.messages.map((m) => m.id)).toEqual([messages[3].id, messages[1].id, messages[0].id]);
    const pages = Object.fromEntries(file.messages.map((m) => [m.id, m.pages]));
    expect(pages[messages[1].id]).toBeGreaterThan(1);
    expect(pages[messages[0].id]).toBe(1);
    const doc = await PDFDocument.load(file.content);
    expect(doc.getPageCount()).toBe(file.messages.reduce((sum, m) => sum + m.pages, 0));
    expect(doc.getPage(0).getSize()).toEqual({ width: expect.closeTo(595.3, 0), height: expect.closeTo(841.9, 0) });
    for (const m of file.messages) expect(results[m.id]).toEqual({ status: 'sent', units: m.pages, costCents: m.pages * 50 });
  });

  it('prints large batches in parts and merges them into one file with the same page counts', async () => {
    const small = new LetterClient({ lettersPerBrowserPage: 3 }, quiet);
    try {
      const messages = Array.from({ length: 8 }, (_, i) => letter(`L${i}`, nl(`Straat ${i}`, `${2000 + i} AA`), i % 3 === 1 ? 40 : 2));
      const { results, artifacts } = await small.sendBatch(messages, { date: DATE });
      const [file] = artifacts;
      expect(file.messages.map((m) => m.id)).toEqual(messages.map((m) => m.id));
      expect(file.messages.map((m) => m.pages)).toEqual(messages.map((_, i) => (i % 3 === 1 ? expect.any(Number) : 1)));
      const total = file.messages.reduce((sum, m) => sum + m.pages, 0);
      expect(total).toBeGreaterThan(8);
      expect((await PDFDocument.load(file.content)).getPageCount()).toBe(total);
      expect(Object.values(results).every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('counts the same pages for a letter printed alone as in a batch', async () => {
    const long = letter('Long', nl('Laan 2', '3511 AB'), 40);
    const { artifacts } = await client.sendBatch([long, letter('Short', nl('Weg 1', '1000 AA'))], { date: DATE });
    const single = await client.renderSingle(long, { date: DATE });
    expect(single.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(single.pages).toBe(artifacts[0].messages.find((m) => m.id === long.id)!.pages);
    expect((await PDFDocument.load(single.pdf)).getPageCount()).toBe(single.pages);
    await expect(client.renderSingle(letter('Nowhere', undefined))).rejects.toThrow('no postal address');
  });

  it('writes a named destination at the first page of every letter', async () => {
    const messages = [letter('A', nl('a', '1000 AA'), 40), letter('B', nl('b', '2000 AA')), letter('C', nl('c', '3000 AA'), 40)];
    const { artifacts } = await client.sendBatch(messages, { date: DATE });
    const destinations = destinationPages(await PDFDocument.load(artifacts[0].content));
    const [a, b] = artifacts[0].messages.map((m) => m.pages);
    expect([...destinations]).toEqual([
      ['L0', 0],
      ['L1', a],
      ['L2', a + b],
    ]);
  });

  it('keeps one browser for the client across batches', async () => {
    await client.sendBatch([letter('A', nl('a', '1000 AA'))], { date: DATE });
    const first = await browserOf(client);
    await client.sendBatch([letter('B', nl('b', '1000 AA'))], { date: DATE });
    expect((await browserOf(client)).process()!.pid).toBe(first.process()!.pid);
  });

  it('starts a new browser when the old one died', async () => {
    await client.sendBatch([letter('A', nl('a', '1000 AA'))], { date: DATE });
    const old = await browserOf(client);
    const gone = new Promise((resolve) => old.once('disconnected', resolve));
    old.process()!.kill('SIGKILL');
    await gone;
    const message = letter('B', nl('b', '1000 AA'));
    const { results } = await client.sendBatch([message], { date: DATE });
    expect(results[message.id]).toEqual({ status: 'sent', units: 1, costCents: expect.any(Number) });
  });

  it('closes an idle browser and starts it again for the next batch', async () => {
    const idle = new LetterClient({ browserIdleSeconds: 0.3 }, quiet);
    try {
      await idle.sendBatch([letter('A', nl('a', '1000 AA'))], { date: DATE });
      const browser = await browserOf(idle);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(browser.connected).toBe(false);
      const message = letter('B', nl('b', '1000 AA'));
      expect((await idle.sendBatch([message], { date: DATE })).results[message.id]).toMatchObject({ status: 'sent' });
      expect((await browserOf(idle)).connected).toBe(true);
    } finally {
      await idle.close();
    }
  });

  it('starts no browser when no letter has an address', async () => {
    const idle = new LetterClient({ chromiumPath: '/nonexistent/chromium' }, quiet);
    const message = letter('Nowhere', { street: 'Kade 1', postalCode: '', city: 'Utrecht', country: 'NL' });
    expect(await idle.sendBatch([message], { date: DATE })).toEqual({ results: { [message.id]: { status: 'failed', reason: 'no postal address' } }, artifacts: [] });
    await idle.close();
  });

  it('answers retry with the reason when Chromium cannot be used, and reports it in health', async () => {
    const broken = new LetterClient({ chromiumPath: '/nonexistent/chromium' }, quiet);
    const message = letter('A', nl('a', '1000 AA'));
    const { results, artifacts } = await broken.sendBatch([message], { date: DATE });
    expect(artifacts).toEqual([]);
    expect(results[message.id]).toEqual({ status: 'retry', reason: expect.stringContaining('CHROMIUM_PATH=/nonexistent/chromium cannot be used') });
    expect(await broken.health()).toEqual({ ok: false, detail: expect.stringContaining('CHROMIUM_PATH=/nonexistent/chromium') });
    await broken.close();
  });

  it('rejects a batch date that is not a calendar day', async () => {
    await expect(client.sendBatch([], { date: '12-05-2026' })).rejects.toThrow('YYYY-MM-DD');
  });

  it('finds a Chromium without settings', async () => {
    const found = await resolveChromium();
    expect(['system', 'packaged']).toContain(found.source);
    expect(await client.health()).toEqual({ ok: true, detail: expect.stringContaining(found.executablePath) });
  });
});
