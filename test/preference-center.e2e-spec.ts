import { addDays } from '@forecourt/sdk';
import type { Page } from 'puppeteer-core';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { launchChromium, LaunchedChromium } from '../plugins/channel-letter/src/chromium';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A fleet manager in a real Chromium: the inspection invitation for two vehicles arrives at the
 * SMTP server, its preference link opens the page (with JavaScript off: the page needs none),
 * one vehicle is unticked and saved with the keyboard alone, and the next run's reminder is
 * about the other vehicle only.
 */
const DAY0 = new Date().toISOString().slice(0, 10);

describe('preference center in a browser, from a received email', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let chromium: LaunchedChromium;
  let dealerId: string;
  let link: string;
  const savedSmtp = process.env.SMTP_URL;
  const consoleLines: string[] = [];

  const put = async (path: string, body: object) => {
    const res = await t.http().put(`/api/dealers/${dealerId}${path}`).set('X-Api-Key', net.dealerA.apiKey).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const run = async (asOf: string) => {
    const res = await t.http().post('/api/runs').set(bearer(net.dealerA.adminToken)).send({ asOf, wait: true });
    if (res.status !== 200) throw new Error(`run ${asOf}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const open = async (javaScript: boolean): Promise<Page> => {
    const context = await chromium.browser.createBrowserContext();
    const page = await context.newPage();
    await page.setJavaScriptEnabled(javaScript);
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`pageerror: ${(error as Error).message}`));
    return page;
  };
  const checked = (page: Page) =>
    page.$$eval('input[type=checkbox]', (boxes) => boxes.filter((b) => (b as HTMLInputElement).checked).map((b) => (b as HTMLInputElement).id));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    dealerId = net.dealerA.id;
    const brandId = net.brands[0].id;
    const due = addDays(DAY0, 42);
    await put('/customers/FLEET', { kind: 'company', companyName: 'Transport Vos BV', email: 'fleet@browser.test', locale: 'nl' });
    await put('/vehicles/F1', { customerExternalId: 'FLEET', brandId, model: 'Vela Cargo', licensePlate: 'VX-101-F', inspectionDueDate: due });
    await put('/vehicles/F2', { customerExternalId: 'FLEET', brandId, model: 'Vela City', licensePlate: 'VX-202-F', inspectionDueDate: due });
    const enabled = await t.http().put(`/api/dealers/${dealerId}/services/inspection-reminder`).set(bearer(net.dealerA.adminToken)).send({ enabled: true });
    if (enabled.status !== 200) throw new Error(`enable: ${enabled.status}`);
    await run(DAY0);
    await t.app.get(DispatchWorker).drain({ dealerIds: [dealerId] });
    const mail = smtp.received.find((m) => m.to.includes('fleet@browser.test'));
    if (!mail) throw new Error('the invitation did not arrive');
    const html = (await smtp.parse(mail)).html ?? '';
    link = html.match(/href="([^"]*\/p\/[A-Za-z0-9_-]+)"/)![1];
    chromium = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await t?.close();
    await smtp?.stop();
    if (savedSmtp === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedSmtp;
  });

  it('unticks one vehicle with the keyboard, JavaScript off, and the next run leaves that vehicle out', async () => {
    expect(link.startsWith(`${t.url}/p/`)).toBe(true);
    const page = await open(false);
    const response = await page.goto(link);
    expect(response!.status()).toBe(200);
    expect(await page.$eval('html', (h) => h.getAttribute('lang'))).toBe('nl');
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Uw voorkeuren');
    expect(await checked(page)).toEqual(['channel-email', 'channel-sms', 'channel-letter', 'channel-phone', 'purpose-service', 'vehicle-0', 'vehicle-1']);
    expect(await page.$eval('label[for=vehicle-0]', (l) => l.textContent)).toBe('Vela Cargo · VX101F');

    // Keyboard only: Tab through the form in document order to the first vehicle, Space unticks it.
    const order: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.id ?? '');
      order.push(id);
      if (id === 'vehicle-0') break;
    }
    expect(order).toEqual(['nothing', 'channel-email', 'channel-sms', 'channel-letter', 'channel-phone', 'purpose-service', 'purpose-marketing', 'vehicle-0']);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Space');
    // On to the button, and Enter saves.
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.tagName)) !== 'BUTTON'; i++) await page.keyboard.press('Tab');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(page.url()).toBe(`${link}?saved=1`);
    expect(await page.$eval('[role=status]', (s) => s.textContent)).toBe('Uw voorkeuren zijn opgeslagen.');
    expect(await checked(page)).toEqual(['channel-email', 'channel-sms', 'channel-letter', 'channel-phone', 'purpose-service', 'vehicle-1']);

    const ledger = await t.ownerQuery<{ vehicle: string; channel: string; purpose: string; granted: boolean; source: string }>(
      `SELECT v.external_id AS vehicle, e.channel, e.purpose, e.granted, e.source FROM consents e JOIN vehicles v ON v.id = e.vehicle_id WHERE e.dealer_id = $1`,
      [dealerId],
    );
    expect(ledger).toEqual([{ vehicle: 'F1', channel: 'all', purpose: 'all', granted: false, source: 'preference-center' }]);

    const reminderDay = addDays(DAY0, 14);
    await run(reminderDay);
    const messages = await t.ownerQuery<{ step: string; vehicles: string[] }>(
      `SELECT m.step, ARRAY(SELECT v.external_id FROM vehicles v WHERE v.id = ANY(m.vehicle_ids) ORDER BY v.external_id) AS vehicles
         FROM messages m JOIN customers c ON c.id = m.customer_id
        WHERE m.dealer_id = $1 AND c.external_id = 'FLEET' AND m.send_on = $2`,
      [dealerId, reminderDay],
    );
    expect(messages).toEqual([{ step: 'reminder', vehicles: ['F2'] }]);
  });

  it('shows the page with JavaScript on too, without a script, a CSP report or an error', async () => {
    const page = await open(true);
    await page.goto(`${link}?unsubscribe=1`);
    expect(await page.$$eval('script', (s) => s.length)).toBe(0);
    expect(await page.$eval('#nothing', (b) => (b as HTMLInputElement).checked)).toBe(true);
    expect(await page.$eval('header', (h) => getComputedStyle(h).backgroundColor)).toMatch(/^rgb/);
    expect(consoleLines.filter((line) => /^(error|pageerror)|Content Security Policy|Refused/i.test(line))).toEqual([]);
  });
});
