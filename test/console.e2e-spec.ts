/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate run in the browser, hence the DOM types.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { NewMessage } from '../apps/host/src/dispatch/message.types';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { launchChromium, LaunchedChromium } from '../plugins/channel-letter/src/chromium';
import { browserProblems, logIn, openPage } from './support/browser';
import { ADMIN, bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/** Screenshots of the runs, kept as test artefacts (not in git). */
const ARTIFACTS = join(__dirname, 'artifacts', 'console');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Today as the browser reads it (same machine, same zone): the console's default day. */
function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The dealer and brand console from a user's side: real Chromium, real clicks, the host's real API behind it. */
describe('console (browser)', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let smtp: LoopbackSmtp;
  let chromium: LaunchedChromium;
  const consoleLines: string[] = [];
  const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM };
  const DAY = localToday();
  /** Message ids by name. */
  const sent: Record<string, string> = {};

  const dealerA = () => net.dealerA;
  const services = async (token: string) =>
    (await t.http().get(`/api/dealers/${dealerA().id}/services`).set(bearer(token))).body as { key: string; enabled: boolean; mode: string; settings: Record<string, unknown>; monthlyBudgetCents: number | null }[];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    delete process.env.MAIL_FROM;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    const a = { 'X-Api-Key': dealerA().apiKey };
    const room = `/api/dealers/${dealerA().id}`;
    for (const [path, body] of [
      [`${room}/customers/C1`, { kind: 'person', firstName: 'Anna', lastName: 'Room dealer-a', email: 'anna@dealer-a.test', phone: '+31612345678', address: { street: 'Dorpsstraat 1', postalCode: '3511 AB', city: 'Utrecht', country: 'NL' } }],
    ] as const) {
      const res = await t.http().put(path).set(a).send(body);
      expect(res.status).toBeLessThan(300);
    }
    await t.ownerQuery(`UPDATE dealers SET sender_name = 'Autohaus Vela', sender_email = 'service@vela.test' WHERE id = $1`, [dealerA().id]);

    // Messages as the inspection reminder writes them, dispatched for real: an email over SMTP, a call-list entry, a letter printed by Chromium.
    const [{ id: customerId }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1 AND external_id = 'C1'`, [dealerA().id]);
    const [{ id: vehicleId }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM vehicles WHERE dealer_id = $1 AND external_id = 'V1'`, [dealerA().id]);
    const data = { dueDate: '2027-01-15', vehicles: [{ plate: 'AB-12-CD', inspectionDueDate: '2027-01-15' }] };
    const message = (channel: string, step: string, recipient: Partial<NewMessage['recipient']>): NewMessage => ({
      dedupeKey: `console-test:${channel}`,
      channel,
      template: `inspection-reminder/${step}`,
      locale: 'en',
      recipient: { ...recipient, name: 'Anna Room', locale: 'en' },
      customerId,
      vehicleIds: [vehicleId],
      serviceKey: 'inspection-reminder',
      step,
      sendOn: DAY,
      data,
      priceCents: channel === 'letter' ? 95 : 5,
      dealerCostCents: channel === 'letter' ? 95 : 5,
    });
    const enqueued = await t.app.get(TenantDb).run(dealerA().id, (m) =>
      t.app.get(OutboxService).enqueue(m, dealerA().id, [
        message('email', 'invite', { email: 'anna@dealer-a.test' }),
        message('call-list', 'call', { phone: '+31612345678' }),
        message('letter', 'invite', { address: { street: 'Dorpsstraat 1', postalCode: '3511 AB', city: 'Utrecht', country: 'NL' } }),
      ]),
    );
    [sent.email, sent.call, sent.letter] = enqueued.map((e) => e.id);
    const worker = t.app.get(DispatchWorker);
    worker.configure({ retryBaseMs: 200, pollMs: 100 });
    expect((await worker.drain({ dealerIds: [dealerA().id] })).remaining).toBe(0);
    chromium = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await t?.close();
    await smtp?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const open = (options = {}) => openPage(chromium, consoleLines, options);

  /** Runs a step of a page, keeping a screenshot and the console when it fails. */
  async function step<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
      throw new Error(`${(error as Error).message}\nconsole:\n${consoleLines.join('\n')}`);
    }
  }

  async function openConsole(page: Page, email: string, tab = 'services', password?: string) {
    await logIn(page, t.url, email, password);
    await page.waitForSelector('#nav-console');
    await page.click('#nav-console');
    await (await page.waitForSelector(`.console-tabs a[data-route^="/console/${tab}"]`))!.click();
  }

  const card = (key: string) => `[data-service="${key}"]`;

  it('a dealer admin switches a service on with a click: it is on after a reload and the API says so', async () => {
    expect((await services(dealerA().adminToken)).find((s) => s.key === 'inspection-reminder')).toMatchObject({ enabled: false, mode: 'optional' });
    const page = await open();
    await step(page, 'switch-on', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test');
      await page.waitForSelector(`${card('inspection-reminder')} input[role=switch]:not([disabled])`);
      expect(await page.$eval(`${card('inspection-reminder')} [data-state]`, (e) => e.textContent)).toBe('off');
      await page.click(`${card('inspection-reminder')} input[role=switch]`);
      await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === 'Switched on.', {}, card('inspection-reminder'));
      await page.reload();
      await page.waitForSelector(`${card('inspection-reminder')} input[role=switch]`);
      expect(await page.$eval(`${card('inspection-reminder')} input[role=switch]`, (e) => (e as HTMLInputElement).checked)).toBe(true);
      expect(await page.$eval(`${card('inspection-reminder')} [data-state]`, (e) => e.textContent)).toBe('on');
      await page.screenshot({ path: join(ARTIFACTS, '1-dealer-services.png'), fullPage: true });
    });
    expect((await services(dealerA().adminToken)).find((s) => s.key === 'inspection-reminder')).toMatchObject({ enabled: true, state: 'on' });
    await page.browserContext().close();
  });

  it("shows the server's error beside an out-of-bounds setting and saves a valid one with the budget", async () => {
    const bounds = await t.http().put(`/api/brands/${net.brands[0].id}/services/inspection-reminder`).set(bearer(net.brandAdminToken)).send({ mode: 'optional', settingsBounds: { leadTimeDays: { minimum: 28, maximum: 56 } } });
    expect(bounds.status).toBe(200);
    const page = await open();
    await step(page, 'settings', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test');
      const form = `${card('inspection-reminder')} form[data-settings]`;
      await page.waitForSelector(form, { visible: false });
      await page.click(`${card('inspection-reminder')} details summary`);
      const lead = `${form} input[name="settings.leadTimeDays"]`;
      expect(await page.$eval(`${form} .setting:has(input[name="settings.leadTimeDays"]) .hint`, (e) => e.textContent)).toBe('Allowed from 28 to 56 (set by the brand).');
      await page.click(lead, { clickCount: 3 });
      await page.keyboard.type('90');
      await page.click(`${form} input[name=monthlyBudget]`, { clickCount: 3 });
      await page.keyboard.type('25.50');
      await page.click(`${form} button[type=submit]`);
      const error = await page.waitForSelector(`${form} [data-field-error="settings.leadTimeDays"]:not(:empty)`);
      expect(await error!.evaluate((e) => e.textContent)).toMatch(/must be <= 56/);
      // The error is the field's description for assistive technology.
      const described = await page.$eval(lead, (input) => input.getAttribute('aria-describedby') ?? '');
      expect(described.split(' ')).toContain(await error!.evaluate((e) => e.id));
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('settings.leadTimeDays');
      await page.screenshot({ path: join(ARTIFACTS, '2-setting-out-of-bounds.png'), fullPage: true });
      expect((await services(dealerA().adminToken)).find((s) => s.key === 'inspection-reminder')!.settings.leadTimeDays).toBe(42);

      await page.click(lead, { clickCount: 3 });
      await page.keyboard.type('35');
      await page.click(`${form} button[type=submit]`);
      await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === 'Saved.', {}, form);
      expect(await page.$eval(`${form} [data-field-error="settings.leadTimeDays"]`, (e) => e.textContent)).toBe('');
    });
    expect((await services(dealerA().adminToken)).find((s) => s.key === 'inspection-reminder')).toMatchObject({
      enabled: true,
      monthlyBudgetCents: 2550,
      settings: expect.objectContaining({ leadTimeDays: 35, channels: ['email', 'letter'] }),
    });
    await page.browserContext().close();
  });

  it('a brand admin makes a service mandatory in the brand screen (a bound out of range refused beside its field); the dealer sees it locked and cannot switch it off', async () => {
    const brandPage = await open();
    await step(brandPage, 'brand-mandatory', async () => {
      await openConsole(brandPage, 'brand@fixture.test', 'brand-services');
      const form = `${card('maintenance-reminder')} form[data-policy]`;
      await brandPage.waitForSelector(form);
      await brandPage.select(`${form} select[name=mode]`, 'mandatory');
      // A bound outside what the service allows is refused, the reason beside the setting.
      const minimum = `${form} input[name="bounds.leadTimeDays.minimum"]`;
      await brandPage.type(minimum, '200');
      await brandPage.click(`${form} button[type=submit]`);
      const error = await brandPage.waitForSelector(`${form} [data-field-error="settingsBounds.leadTimeDays"]:not(:empty)`);
      expect(await error!.evaluate((e) => e.textContent)).toBe('must be within 7..90');
      await brandPage.click(minimum, { clickCount: 3 });
      await brandPage.keyboard.press('Backspace');
      await brandPage.click(`${form} button[type=submit]`);
      await brandPage.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === 'Policy saved.', {}, form);
      await brandPage.screenshot({ path: join(ARTIFACTS, '3-brand-policies.png'), fullPage: true });
    });
    const policies = await t.http().get(`/api/brands/${net.brands[0].id}/services`).set(bearer(net.brandAdminToken));
    expect(policies.body.find((p: { serviceKey: string }) => p.serviceKey === 'maintenance-reminder')).toEqual({ serviceKey: 'maintenance-reminder', mode: 'mandatory', subsidyPercent: 0, settingsBounds: {} });
    await brandPage.browserContext().close();

    const page = await open();
    await step(page, 'dealer-locked', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test');
      const toggle = `${card('maintenance-reminder')} input[role=switch]`;
      await page.waitForSelector(toggle);
      expect(await page.$eval(toggle, (e) => ({ checked: (e as HTMLInputElement).checked, disabled: (e as HTMLInputElement).disabled }))).toEqual({ checked: true, disabled: true });
      expect(await page.$eval(`${card('maintenance-reminder')} [data-reason]`, (e) => e.textContent)).toMatch(/^Mandatory: your brand makes this service compulsory/);
      // A click on the disabled switch changes nothing.
      await page.click(toggle);
      await sleep(300);
      expect(await page.$eval(toggle, (e) => (e as HTMLInputElement).checked)).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, '4-dealer-mandatory-locked.png'), fullPage: true });
    });
    expect((await services(dealerA().adminToken)).find((s) => s.key === 'maintenance-reminder')).toMatchObject({ enabled: true, mode: 'mandatory' });
    const off = await t.http().put(`/api/dealers/${dealerA().id}/services/maintenance-reminder`).set(bearer(dealerA().adminToken)).send({ enabled: false });
    expect(off.status).toBe(400);
    await page.browserContext().close();
  });

  it('shows a service the brand does not offer as unavailable, its switch and settings disabled', async () => {
    const policy = await t.http().put(`/api/brands/${net.brands[0].id}/services/win-back`).set(bearer(net.brandAdminToken)).send({ mode: 'unavailable' });
    expect(policy.status).toBe(200);
    const page = await open();
    await step(page, 'unavailable', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test');
      const toggle = `${card('win-back')} input[role=switch]`;
      await page.waitForSelector(toggle);
      expect(await page.$eval(toggle, (e) => ({ checked: (e as HTMLInputElement).checked, disabled: (e as HTMLInputElement).disabled }))).toEqual({ checked: false, disabled: true });
      expect(await page.$eval(`${card('win-back')} [data-reason]`, (e) => e.textContent)).toBe('Not offered by your brand.');
      expect(await page.$eval(`${card('win-back')} [data-state]`, (e) => e.textContent)).toBe('unavailable');
      expect(await page.$eval(`${card('win-back')} form[data-settings] button[type=submit]`, (e) => (e as HTMLButtonElement).disabled)).toBe(true);
    });
    await page.browserContext().close();
  });

  it('a dealer user sees the services but cannot switch them', async () => {
    const page = await open();
    await step(page, 'dealer-user', async () => {
      await openConsole(page, 'dealer-user@dealer-a.test');
      await page.waitForSelector(`${card('inspection-reminder')} input[role=switch]`);
      const switches = await page.$$eval('input[role=switch]', (all) => all.map((e) => (e as HTMLInputElement).disabled));
      expect(switches.length).toBeGreaterThan(3);
      expect(switches.every(Boolean)).toBe(true);
    });
    await page.browserContext().close();
  });

  it('previews the cost of a day with a dry run, as the API prices it', async () => {
    // The invitation goes out 35 days (the setting saved above) before the inspection due on 2027-01-15.
    const asOf = '2026-12-11';
    const page = await open();
    const shown = await step(page, 'dry-run', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test');
      await page.waitForSelector('#dry-run-date');
      await page.$eval('#dry-run-date', (input, value) => {
        (input as HTMLInputElement).value = value;
      }, asOf);
      await page.click('#dry-run button[type=submit]');
      const cost = await page.waitForSelector('#dry-run [data-cost]', { timeout: 60_000 });
      await page.screenshot({ path: join(ARTIFACTS, '5-dry-run.png'), fullPage: true });
      return { cents: Number(await cost!.evaluate((e) => e.getAttribute('data-cost'))), text: await page.$eval('#dry-run .dry-run-result', (e) => e.textContent ?? '') };
    });
    const api = await t.http().post('/api/runs').set(bearer(dealerA().adminToken)).send({ asOf, dealerIds: [dealerA().id], dryRun: true, wait: true });
    expect(api.status).toBe(200);
    expect(api.body.messages.total).toBeGreaterThan(0);
    expect(shown.cents).toBe(api.body.costCents);
    expect(shown.cents).toBeGreaterThan(0);
    expect(shown.text).toContain(`€${(api.body.costCents / 100).toFixed(2)}`);
    for (const channel of Object.keys(api.body.messages.byChannel)) expect(shown.text).toContain(channel);
    await page.browserContext().close();
  });

  it("lists the dealer's messages by channel and opens an email's content", async () => {
    const page = await open();
    await step(page, 'messages', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test', 'messages');
      await page.waitForSelector(`[data-message="${sent.call}"]`);
      await page.select('#message-filters select[name=channel]', 'email');
      await page.waitForFunction((id) => !!document.querySelector(`[data-message="${id}"]`) && document.querySelectorAll('[data-message]').length === 1, {}, sent.email);
      await page.click(`[data-message="${sent.email}"] button.open-message`);
      const frame = await (await page.waitForSelector('iframe.message-frame'))!.contentFrame();
      await frame.waitForFunction(() => document.body?.innerText.includes('AB-12-CD') || document.body?.innerText.includes('AB12CD'));
      // Looking at it is not an open: the content comes without the pixel, its links lead where the template says.
      expect(await frame.evaluate(() => ({ pixels: document.querySelectorAll('img[src*="/t/o/"]').length, tracked: document.querySelectorAll('a[href*="/t/c/"]').length }))).toEqual({ pixels: 0, tracked: 0 });
      const raw = await t.http().get(`/api/messages/${sent.email}/content?tracking=false`).set(bearer(dealerA().adminToken));
      expect(raw.text).not.toContain('/t/o/');
      expect(raw.text).not.toContain('/t/c/');
      expect(raw.text).toMatch(/href="https?:\/\//);
      expect((await t.http().get(`/api/messages/${sent.email}/content`).set(bearer(dealerA().adminToken))).text).toContain('/t/o/');
      expect((await t.http().get(`/api/messages/${sent.email}/content?tracking=maybe`).set(bearer(dealerA().adminToken))).body.errors).toEqual([expect.objectContaining({ field: 'tracking' })]);
      await sleep(500);
      const listed = await t.http().get(`/api/dealers/${dealerA().id}/messages?channel=email`).set(bearer(dealerA().adminToken));
      expect(listed.body.items[0]).toMatchObject({ id: sent.email, status: 'sent' });
      expect(await page.$eval('.message-viewer h2', (e) => e.textContent)).toBe(listed.body.items[0].subject);
      expect(await page.$eval('iframe.message-frame', (e) => e.getAttribute('sandbox'))).toBe('');
      await page.screenshot({ path: join(ARTIFACTS, '6-message-content.png'), fullPage: true });
    });
    await page.browserContext().close();
  });

  it('records a call outcome from the call list', async () => {
    const page = await open();
    await step(page, 'call-list', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test', 'call-list');
      const entry = `[data-entry="${sent.call}"]`;
      await page.waitForSelector(entry);
      await page.click(`${entry} button[data-outcome=no-answer]`);
      await page.waitForSelector(`${entry} [data-recorded=no-answer]`);
      await page.screenshot({ path: join(ARTIFACTS, '7-call-list.png'), fullPage: true });
    });
    const list = await t.http().get(`/api/dealers/${dealerA().id}/call-lists?date=${DAY}`).set(bearer(dealerA().adminToken));
    expect(list.body.items.find((e: { entryId: string }) => e.entryId === sent.call).outcomes).toEqual([expect.objectContaining({ outcome: 'no-answer' })]);
    await page.browserContext().close();
  });

  it('downloads a letter batch as a PDF', async () => {
    const downloads = mkdtempSync(join(tmpdir(), 'console-downloads-'));
    const page = await open({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    const { items } = (await t.http().get(`/api/dealers/${dealerA().id}/letter-batches`).set(bearer(dealerA().adminToken))).body;
    expect(items).toHaveLength(1);
    await step(page, 'letters', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test', 'letters');
      await (await page.waitForSelector(`[data-batch="${items[0].id}"]`))!.click();
      await page.waitForSelector('a.download-link');
      const deadline = Date.now() + 20_000;
      while (!readdirSync(downloads).includes(items[0].fileName)) {
        if (Date.now() > deadline) throw new Error(`no ${items[0].fileName} in ${readdirSync(downloads).join(', ')}`);
        await sleep(200);
      }
    });
    const pdf = readFileSync(join(downloads, items[0].fileName));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.browserContext().close();
  });

  it('imports a CSV with an upload progress bar and lists the rows that failed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'console-import-')), 'customers.csv');
    writeFileSync(file, 'externalId,kind,firstName,lastName,email\nK1,person,Kai,Import,kai@dealer-a.test\nK2,alien,Xy,Zed,\nC1,person,Anna,Room dealer-a,anna@dealer-a.test\n');
    const page = await open();
    await step(page, 'imports', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test', 'imports');
      await page.select('#import-type', 'customers');
      const input = await page.waitForSelector('#import-file');
      await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(file);
      await page.click('#import-form button[type=submit]');
      const result = await page.waitForSelector('[data-import-result]');
      expect(await result!.evaluate((e) => e.textContent)).toMatch(/^Created 1, updated \d, unchanged \d, failed 1\.$/);
      expect(await page.$eval('#import-progress', (e) => (e as HTMLProgressElement).value)).toBe(1);
      const errors = await page.$$eval('tr.import-error', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
      expect(errors).toEqual([['3', 'kind', expect.any(String)]]);
      await page.screenshot({ path: join(ARTIFACTS, '8-import.png'), fullPage: true });
    });
    const k1 = await t.http().get(`/api/dealers/${dealerA().id}/customers/K1`).set(bearer(dealerA().adminToken));
    expect(k1.body).toMatchObject({ firstName: 'Kai', lastName: 'Import' });
    await page.browserContext().close();
  });

  it("draws the dealer's report as SVG charts with the figures in tables, and downloads it as CSV", async () => {
    const downloads = mkdtempSync(join(tmpdir(), 'console-report-'));
    const page = await open({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    const report = (await t.http().get(`/api/dealers/${dealerA().id}/reports`).set(bearer(dealerA().adminToken))).body;
    expect(report.totals.sent).toBeGreaterThan(0);
    await step(page, 'dealer-report', async () => {
      await openConsole(page, 'dealer-admin@dealer-a.test', 'reports');
      await page.waitForSelector('svg[data-chart=dealer-activity] rect');
      await page.waitForSelector('svg[data-chart=dealer-cost] polyline');
      await page.waitForSelector('svg[data-chart=dealer-budget]');
      expect(await page.$eval('[data-totals]', (e) => e.textContent)).toContain(`${report.totals.sent} sent`);
      // Every figure of the chart is also in a table: the week of today's messages with their count.
      const week = report.rows[0].week;
      const activity = await page.$$eval('figure:has(svg[data-chart=dealer-activity]) table tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
      expect(activity[0]).toEqual(['Week', 'Sent', 'Opened', 'Clicked', 'Appointments']);
      const sentThatWeek = report.rows.filter((r: { week: string }) => r.week === week).reduce((n: number, r: { sent: number }) => n + r.sent, 0);
      expect(activity.find((r) => r[0] === week)![1]).toBe(String(sentThatWeek));
      expect(await page.$eval('svg[data-chart=dealer-activity]', (svg) => svg.getAttribute('role'))).toBe('img');
      await page.screenshot({ path: join(ARTIFACTS, '9-dealer-report.png') });
      await page.click('#report-csv');
      const deadline = Date.now() + 20_000;
      while (!readdirSync(downloads).includes('report.csv')) {
        if (Date.now() > deadline) throw new Error(`no report.csv in ${readdirSync(downloads).join(', ')}`);
        await sleep(200);
      }
    });
    const csv = readFileSync(join(downloads, 'report.csv'), 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toMatch(/^week,serviceKey,channel,sent,/);
    expect(csv).toHaveLength(report.rows.length + 1);
    await page.browserContext().close();
  });

  it('shows the brand report with rows about too few customers or dealers withheld, not as zero', async () => {
    const report = (await t.http().get(`/api/brands/${net.brands[0].id}/reports`).set(bearer(net.brandAdminToken))).body;
    expect(report.rows.length).toBeGreaterThan(0);
    expect(report.rows.every((r: { suppressed: boolean }) => r.suppressed)).toBe(true);
    const page = await open();
    await step(page, 'brand-report', async () => {
      await openConsole(page, 'brand@fixture.test', 'brand-reports');
      await page.waitForSelector('svg[data-chart=brand-activity]');
      const rows = await page.$$eval('table.report-rows tr[data-suppressed]', (all) => all.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
      expect(rows).toHaveLength(report.rows.length);
      for (const row of rows) {
        expect(row.slice(3)).toEqual(Array(9).fill('fewer than 5 customers or 3 dealers'));
      }
      expect(await page.$eval('[data-totals]', (e) => e.textContent)).toBe('Totals withheld: fewer than 5 customers or 3 dealers.');
      // The week of the withheld rows has no figure in the chart's table either.
      const activity = await page.$$eval('figure:has(svg[data-chart=brand-activity]) table tr', (all) => all.map((r) => [...r.children].map((c) => c.textContent)));
      expect(activity.find((r) => r[0] === report.rows[0].week)!.slice(1)).toEqual(Array(4).fill('fewer than 5 customers or 3 dealers'));
      const bars = await page.$$eval('svg[data-chart=brand-activity] rect title', (all) => all.map((e) => e.textContent ?? ''));
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.filter((b) => b.includes(report.rows[0].week))).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, '10-brand-report.png') });
    });
    await page.browserContext().close();
  });

  it("a network admin chooses a dealer and sees that dealer's services", async () => {
    const page = await open();
    await step(page, 'network-admin', async () => {
      await openConsole(page, ADMIN.email, 'services', ADMIN.password);
      await page.waitForSelector('#choose-dealer');
      await page.select('#choose-dealer', net.dealerB.id);
      await page.waitForFunction((id) => location.search === `?dealer=${id}`, {}, net.dealerB.id);
      await page.waitForSelector(`${card('inspection-reminder')} [data-state]`);
      const b = (await t.http().get(`/api/dealers/${net.dealerB.id}/services`).set(bearer(net.adminToken))).body as { key: string; state: string }[];
      const shown = await page.$$eval('[data-service]', (all) => all.map((e) => [e.getAttribute('data-service'), e.querySelector('[data-state]')!.textContent]));
      expect(shown).toEqual(b.map((s) => [s.key, s.state]));
      // Dealer B did not switch the inspection reminder on; dealer A did.
      expect(shown.find(([key]) => key === 'inspection-reminder')![1]).toBe('off');
    });
    await page.browserContext().close();
  });

  it('left no Content-Security-Policy violations or script errors in the console', () => {
    // The refused out-of-bounds setting and bound are the errors the browser reports (400s from the API).
    expect(browserProblems(consoleLines)).toEqual(Array(2).fill('error: Failed to load resource: the server responded with a status of 400 (Bad Request)'));
  });
});
