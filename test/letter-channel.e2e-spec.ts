import type { BatchResult, ChannelClient, OutgoingMessage, PluginContext } from '@forecourt/sdk';
import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { measureLetters } from '../apps/host/src/letters/letters.bench';
import { PluginRegistry } from '../apps/host/src/plugin-host/plugin-registry.service';
import { resolveChromium } from '../plugins/channel-letter/src/chromium';
import { pdfPageTexts } from './fixtures/letters/pdf-text';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

const DATE = '2026-05-12';
const SENDER = { name: 'Autohaus Vela Utrecht', street: 'Kanaalweg 12', postalCode: '3526 KL', city: 'Utrecht', country: 'NL', phone: '+31 30 123 4567' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * 30 letters in no particular order: every fifth runs over two pages, number 7 has no postal
 * code, number 11 has a fixed-position element that must stay in its own letter.
 */
function letters(dealerId: string): OutgoingMessage[] {
  return Array.from({ length: 30 }, (_, i) => {
    const postalCode = i === 7 ? '' : `${1000 + ((i * 4813) % 9000)} ${'ABCDEFGHJK'[i % 10]}X`;
    const paragraph = `<p>Uw auto moet binnenkort weer APK gekeurd worden. Wij nemen alles voor u uit handen: de keuring, reparaties en een wasbeurt. Maak een afspraak via onze website of bel ons.</p>`;
    return {
      id: randomUUID(),
      dealerId,
      channel: 'letter',
      subject: 'Uw APK-keuring komt eraan',
      to: { name: `Klant-${String(i).padStart(2, '0')} Jansen`, locale: 'nl', address: { street: `Dorpsstraat ${i + 1}`, postalCode, city: 'Utrecht', country: 'NL' } },
      data: { sender: SENDER },
      html: `<html><head><style>body{color:#1b1b1b} .brand{color:#0b5fff;font-weight:bold}</style></head><body><div class="brand">VELA</div>${i === 11 ? '<div style="position:fixed;bottom:0">Vaste regel elf</div>' : ''}<p>Beste klant ${i},</p>${paragraph.repeat(i % 5 === 2 ? 16 : 2)}</body></html>`,
    };
  });
}

/** The letter channel's client as the host builds it: the discovered plugin, the dealer's settings. */
async function letterClient(t: TestApp, dealerId: string): Promise<ChannelClient> {
  const registry = t.app.get(PluginRegistry);
  const entry = registry.channel('letter');
  if (!entry) throw new Error('the letter channel was not discovered');
  const settings = await registry.settingsFor(entry.pluginId, dealerId);
  return entry.definition.createClient({ pluginId: entry.pluginId, dealerId, settings, logger: quiet, clock: { now: () => new Date() } } as unknown as PluginContext);
}

describe('letter channel and letter batches (real Chromium)', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let batch: BatchResult;
  let messages: OutgoingMessage[];

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    messages = letters(net.dealerA.id);
    const client = await letterClient(t, net.dealerA.id);
    try {
      batch = await client.sendBatch!(messages, { date: DATE });
    } finally {
      await client.close?.();
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('is discovered as the enabled letter plugin', async () => {
    const res = await t.http().get('/api/plugins').set(bearer(net.adminToken));
    expect(res.body).toContainEqual(expect.objectContaining({ id: 'channel-letter', kind: 'channel', channel: 'letter', state: 'enabled' }));
  });

  it('fails the letter without a postal address and prints the rest into one file', async () => {
    expect(batch.results[messages[7].id]).toEqual({ status: 'failed', reason: 'no postal address' });
    expect(batch.artifacts).toHaveLength(1);
    const [file] = batch.artifacts;
    expect(file.messages).toHaveLength(29);
    expect(file.messages.map((m) => m.id)).not.toContain(messages[7].id);
    for (const { id, pages } of file.messages) expect(batch.results[id]).toEqual({ status: 'sent', units: pages, costCents: pages * 45 });
  });

  it('has as many PDF pages as the letters have together, two for the long ones', async () => {
    const [file] = batch.artifacts;
    const doc = await PDFDocument.load(file.content);
    expect(doc.getPageCount()).toBe(file.messages.reduce((sum, m) => sum + m.pages, 0));
    const pagesOf = new Map(file.messages.map((m) => [m.id, m.pages]));
    messages.forEach((m, i) => {
      if (i !== 7) expect([i, pagesOf.get(m.id)]).toEqual([i, i % 5 === 2 ? 2 : 1]);
    });
  });

  it('prints the letters in postal-code order, each name and address on the first page of its letter', async () => {
    const [file] = batch.artifacts;
    const texts = await pdfPageTexts(file.content);
    const byId = new Map(messages.map((m) => [m.id, m]));
    const ordered = file.messages.map((m) => byId.get(m.id)!);
    const codes = ordered.map((m) => m.to.address!.postalCode.replace(' ', ''));
    expect(codes).toEqual([...codes].sort());
    let page = 0;
    for (const [index, { id, pages }] of file.messages.entries()) {
      const { name, address } = byId.get(id)!.to;
      const first = texts[page];
      expect([index, first.includes(name!)]).toEqual([index, true]);
      expect(first).toContain(address!.street);
      expect(first).toContain(address!.postalCode);
      expect(first).toContain('Kanaalweg 12');
      page += pages;
    }
    const all = texts.join('\n');
    const positions = ordered.map((m) => all.indexOf(m.to.name!));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(all).not.toContain(messages[7].to.name);
    expect(all.split('Vaste regel elf')).toHaveLength(2);
  });

  describe('letter-batch API', () => {
    let batchId: string;

    beforeAll(async () => {
      const [file] = batch.artifacts;
      const pages = file.messages.reduce((sum, m) => sum + m.pages, 0);
      batchId = randomUUID();
      await t.ownerQuery(
        `INSERT INTO dispatch_files (dealer_id, id, channel, date, file_name, content_type, content, pages, message_ids, cost_cents)
         VALUES ($1, $2, 'letter', $3, $4, $5, $6, $7, $8::uuid[], $9)`,
        [net.dealerA.id, batchId, DATE, file.fileName, file.contentType, file.content, pages, file.messages.map((m) => m.id), pages * 45],
      );
    });

    it('lists the dealer its own print files', async () => {
      const res = await t.http().get(`/api/dealers/${net.dealerA.id}/letter-batches`).set('X-Api-Key', net.dealerA.apiKey);
      expect(res.status).toBe(200);
      const pages = batch.artifacts[0].messages.reduce((sum, m) => sum + m.pages, 0);
      expect(res.body).toEqual({
        items: [{ id: batchId, date: DATE, fileName: `letters-${DATE}.pdf`, pages, letters: 29, costCents: pages * 45, createdAt: expect.any(String) }],
        total: 1,
        page: 1,
        pageSize: 50,
      });
      const later = await t.http().get(`/api/dealers/${net.dealerA.id}/letter-batches?from=2026-05-13`).set(bearer(net.dealerA.userToken));
      expect(later.body).toMatchObject({ items: [], total: 0 });
    });

    it('does not list them to another dealer, nor to brand and network admins', async () => {
      const own = await t.http().get(`/api/dealers/${net.dealerB.id}/letter-batches`).set(bearer(net.dealerB.adminToken));
      expect(own.body).toMatchObject({ items: [], total: 0 });
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/letter-batches`).set(bearer(net.dealerB.adminToken))).status).toBe(404);
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/letter-batches`).set(bearer(net.brandAdminToken))).status).toBe(403);
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/letter-batches`).set(bearer(net.adminToken))).status).toBe(403);
    });

    it('downloads the PDF as an attachment for the own dealer', async () => {
      const res = await t.http().get(`/api/letter-batches/${batchId}/pdf`).set(bearer(net.dealerA.userToken)).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="letters-${DATE}\\.pdf"`));
      const body = res.body as Buffer;
      expect(body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(body.equals(batch.artifacts[0].content)).toBe(true);
    });

    it('answers 404 to another dealer and for unknown ids, 403 to brand and network admins', async () => {
      expect((await t.http().get(`/api/letter-batches/${batchId}/pdf`).set(bearer(net.dealerB.adminToken))).status).toBe(404);
      expect((await t.http().get(`/api/letter-batches/${batchId}/pdf`).set('X-Api-Key', net.dealerB.apiKey)).status).toBe(404);
      expect((await t.http().get(`/api/letter-batches/${randomUUID()}/pdf`).set(bearer(net.dealerA.adminToken))).status).toBe(404);
      const brand = await t.http().get(`/api/letter-batches/${batchId}/pdf`).set(bearer(net.brandAdminToken));
      expect(brand.status).toBe(403);
      expect(brand.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await t.http().get(`/api/letter-batches/${batchId}/pdf`).set(bearer(net.adminToken))).status).toBe(403);
    });
  });

  it('falls back to the Chromium packaged in @sparticuz/chromium when there is no system Chromium', async () => {
    const { default: packaged } = await import('@sparticuz/chromium');
    expect(await resolveChromium(undefined, { systemPaths: ['/nonexistent/chromium'] })).toEqual({
      executablePath: await packaged.executablePath(),
      source: 'packaged',
      env: expect.any(Object),
    });
  }, 120_000);

  it('prints with the packaged Chromium when CHROMIUM_PATH points at it', async () => {
    const { default: packaged } = await import('@sparticuz/chromium');
    const previous = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = await packaged.executablePath();
    try {
      const client = await letterClient(t, net.dealerA.id);
      try {
        expect(await client.health!()).toEqual({ ok: true, detail: `setting Chromium at ${process.env.CHROMIUM_PATH}` });
        const some = letters(net.dealerA.id).slice(0, 4);
        const { results, artifacts } = await client.sendBatch!(some, { date: DATE });
        expect(Object.values(results).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
        const doc = await PDFDocument.load(artifacts[0].content, { updateMetadata: false });
        expect(doc.getPageCount()).toBe(artifacts[0].messages.reduce((sum, m) => sum + m.pages, 0));
        expect(doc.getProducer()).toMatch(/Skia\/PDF m143/);
        const texts = await pdfPageTexts(artifacts[0].content);
        for (const m of some) expect(texts.join('\n')).toContain(m.to.name);
      } finally {
        await client.close?.();
      }
    } finally {
      if (previous === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = previous;
    }
  }, 120_000);

  it('prints batched letters at least five times as fast as one PDF per letter', async () => {
    const result = await measureLetters({ letters: 100, singleLetters: 20 });
    expect(result).toMatchObject({ letters: 100, singleLetters: 20, pages: expect.any(Number) });
    expect(result.pages).toBeGreaterThan(100);
    expect(result.lettersPerSecond).toBeGreaterThanOrEqual(5 * result.lettersSinglePerSecond);
  }, 120_000);
});
