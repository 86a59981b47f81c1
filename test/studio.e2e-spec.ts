/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The callbacks given to page.evaluate run in the browser, hence the DOM types.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementHandle, Frame, Page } from 'puppeteer-core';
import { launchChromium, LaunchedChromium } from '../plugins/channel-letter/src/chromium';
import { browserProblems, logIn as logInAs, openPage } from './support/browser';
import { bearer, createNetwork, FIXTURE_ENV, login, NetworkFixture, PASSWORD } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/** Screenshots of the runs, kept as test artefacts (not in git). */
const ARTIFACTS = join(__dirname, 'artifacts', 'studio');

/** Brand 2's logo: an inline SVG, so the preview shows it without a server of its own. */
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48"><rect width="240" height="48" fill="#127a3a"/><text x="16" y="33" font-family="Arial" font-size="26" fill="#fff">NORDKAP</text></svg>';
const LOGO_URL = `data:image/svg+xml;base64,${Buffer.from(LOGO_SVG).toString('base64')}`;
const NORDKAP_GREEN = 'rgb(18, 122, 58)';

/** What the studio exposes of its editor for checks (studio/src/template-editor.ts). */
interface StudioHandle {
  editor: {
    getMjml(): string;
    load(mjml: string): void;
    editor: { getSelected(): { getAttributes(): Record<string, unknown>; get(name: string): unknown } | undefined };
  };
}
declare global {
  interface Window {
    forecourtStudio?: StudioHandle;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The studio from a user's side: a real Chromium, real clicks and typing, the host's real API behind it. */
describe('studio (browser)', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let chromium: LaunchedChromium;
  let templateId: string;
  /** Console lines of every page, checked for CSP violations and errors at the end. */
  const consoleLines: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    const as = bearer(net.adminToken);
    const user = await t.http().post('/api/users').set(as).send({ email: 'studio@fixture.test', password: PASSWORD, role: 'brand-admin', brandIds: net.brands.map((b) => b.id) });
    expect(user.status).toBe(201);
    const brand = await t.http().patch(`/api/brands/${net.brands[1].id}`).set(as).send({ theme: { primaryColor: '#127a3a', logoUrl: LOGO_URL } });
    expect(brand.status).toBe(200);
    const list = await t.http().get('/api/templates?service=inspection-reminder&channel=email&locale=en&pageSize=1000').set(bearer(net.brandAdminToken));
    templateId = list.body.items.find((i: { key: string }) => i.key === 'inspection-reminder/invite').id;
    chromium = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await t?.close();
  });

  const open = (): Promise<Page> => openPage(chromium, consoleLines);
  const logIn = (page: Page, email: string) => logInAs(page, t.url, email);

  async function openInvitation(page: Page, who: string): Promise<Frame> {
    try {
      const link = await page.waitForSelector('[data-template="inspection-reminder/invite|email|en"]');
      await link!.click();
      const frame = await (await page.waitForSelector('iframe.gjs-frame'))!.contentFrame();
      await frame.waitForSelector('xpath///*[contains(text(), "Time for your inspection")]');
      return frame;
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, `failed-${who}-open.png`) });
      throw new Error(`${(error as Error).message}\nconsole:\n${consoleLines.join('\n')}`);
    }
  }

  /** Waits until the preview iframe's document passes the check (each refresh replaces the document). */
  async function previewUntil<T>(page: Page, check: () => T | false, what: string): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const frame = await (await page.$('iframe.preview-frame'))!.contentFrame();
      const result = await frame.evaluate(check).catch(() => false as const);
      if (result) return result as T;
      if (Date.now() > deadline) {
        await page.screenshot({ path: join(ARTIFACTS, `failed-preview-${what.replace(/\W+/g, '-')}.png`) });
        throw new Error(`preview never showed ${what}`);
      }
      await sleep(250);
    }
  }

  async function textIn(frame: Frame, text: string): Promise<ElementHandle<Element>> {
    // Any of the element's own text nodes (a text with line breaks has several).
    return (await frame.waitForSelector(`xpath///*[text()[contains(., ${JSON.stringify(text)})]]`)) as ElementHandle<Element>;
  }

  it('is served at /studio with its CSP, index.html for client routes and long-lived hashed assets', async () => {
    const index = await t.http().get('/studio');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = /src="\/studio\/(assets\/[^"]+\.js)"/.exec(index.text)![1];
    const script = await t.http().get(`/studio/${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.headers['content-type']).toMatch(/javascript/);
    const route = await t.http().get('/studio/templates/some-id');
    expect(route.status).toBe(200);
    expect(route.text).toBe(index.text);
    expect((await t.http().get('/studio/assets/missing.js')).status).toBe(404);
    expect((await t.http().get('/studio/..%2f..%2fpackage.json')).status).toBe(404);
  });

  it('a brand admin edits the inspection invitation, sees it in the preview in both brands, and publishes', async () => {
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    const canvas = await openInvitation(page, 'brand-admin');
    await previewUntil(page, () => document.body.innerText.includes('Time for your inspection'), 'the master');

    const heading = await textIn(canvas, 'Time for your inspection');
    await heading.click({ clickCount: 2 });
    await page.keyboard.press('End');
    await page.keyboard.type(' this winter');
    await previewUntil(page, () => document.body.innerText.includes('Time for your inspection this winter'), 'the changed heading');
    await page.screenshot({ path: join(ARTIFACTS, '1-brand-admin-edited.png') });

    // The other brand: its colour on the heading and its logo in the header.
    await page.select('select[name=preview-brand]', net.brands[1].id);
    const look = await previewUntil(
      page,
      () => {
        const h = [...document.querySelectorAll('div')].find((d) => d.textContent === 'Time for your inspection this winter');
        const logo = document.querySelector('img');
        return h && logo ? { color: getComputedStyle(h).color, logo: logo.getAttribute('src') } : false;
      },
      "the second brand's look",
    );
    expect(look).toEqual({ color: NORDKAP_GREEN, logo: LOGO_URL });
    await page.screenshot({ path: join(ARTIFACTS, '2-brand-admin-second-brand.png') });

    await page.click('#publish');
    await page.waitForFunction(() => document.querySelector('.toolbar .status')?.textContent?.startsWith('Published as version'));
    const published = await t.http().get(`/api/templates/${templateId}`).set(bearer(net.brandAdminToken));
    expect(published.body.publishedVersion).toBe(2);
    expect(published.body.published.body).toContain('Time for your inspection this winter</mj-text>');
    // Unchanged parts came through the editor as they were: the head, the Liquid, the fleet table, the slot.
    expect(published.body.published.body).toContain('<mj-preview>Book the inspection with {{ dealer.name }} in good time');
    expect(published.body.published.body).toContain('{% if vehicles.size > 1 %}');
    expect(published.body.published.body).toContain('{% for v in vehicles %}<tr class="fc-row">');
    expect(published.body.published.body).toContain('css-class="fc-slot-signature"');
    await page.screenshot({ path: join(ARTIFACTS, '3-brand-admin-published.png') });
    await page.browserContext().close();
  });

  it('a dealer edits its signature slot, cannot select or delete a locked block, saves, and the preview shows the signature', async () => {
    const page = await open();
    await logIn(page, 'dealer-admin@dealer-b.test');
    const canvas = await openInvitation(page, 'dealer');
    await previewUntil(page, () => document.body.innerText.includes('Kind regards'), 'the signature');

    // A locked block: a click selects nothing, Delete removes nothing.
    const heading = await textIn(canvas, 'Time for your inspection');
    await heading.click();
    await page.keyboard.press('Delete');
    await heading.click({ clickCount: 2 });
    await page.keyboard.type('x');
    const locked = await page.evaluate(() => {
      const { editor } = window.forecourtStudio!;
      const selected = editor.editor.getSelected();
      return { selected: selected ? String(selected.getAttributes()['css-class'] ?? selected.get('tagName')) : null, mjml: editor.getMjml() };
    });
    expect(locked.selected).toBeNull();
    expect(locked.mjml).toContain('>Time for your inspection this winter</mj-text>');
    await page.screenshot({ path: join(ARTIFACTS, '4-dealer-locked-block.png') });

    const signature = await textIn(canvas, 'Kind regards,');
    await signature.click({ clickCount: 2 });
    await page.keyboard.down('Control');
    await page.keyboard.press('End');
    await page.keyboard.up('Control');
    await page.keyboard.type(' Ask for Sam in the workshop.');
    const selected = await page.evaluate(() => String(window.forecourtStudio!.editor.editor.getSelected()?.getAttributes()['css-class']));
    expect(selected).toBe('fc-slot-signature');
    await previewUntil(page, () => document.body.innerText.includes('Ask for Sam in the workshop.'), 'the typed signature');

    // The other brand the dealer sells: the canvas is drawn again in its look, still locked, the typing kept.
    await page.select('select[name=preview-brand]', net.brands[1].id);
    await previewUntil(page, () => document.querySelector('img')?.getAttribute('src')?.startsWith('data:image/svg+xml') ?? false, "the second brand's logo");
    const afterSwitch = await page.evaluate(() => {
      const { editor } = window.forecourtStudio!;
      const mjml = editor.getMjml();
      return { heading: mjml.includes('>Time for your inspection this winter</mj-text>'), typed: mjml.includes('Ask for Sam in the workshop.') };
    });
    expect(afterSwitch).toEqual({ heading: true, typed: true });
    await (await textIn(canvas, 'Time for your inspection')).click();
    expect(await page.evaluate(() => window.forecourtStudio!.editor.editor.getSelected() ?? null)).toBeNull();

    await page.click('#save');
    await page.waitForFunction(() => document.querySelector('.toolbar .status')?.textContent?.startsWith('Saved'));
    const dealerToken = await login(t, 'dealer-admin@dealer-b.test', PASSWORD);
    const slots = await t.http().get(`/api/dealers/${net.dealerB.id}/template-slots/${templateId}`).set(bearer(dealerToken));
    expect(slots.status).toBe(200);
    expect(slots.body.values.signature).toContain('Ask for Sam in the workshop.');
    expect(slots.body.values.signature).toContain('{{ dealer.signature }}');

    // A fresh page shows the saved signature in the editor and in the preview.
    await page.reload();
    const again = await (await page.waitForSelector('iframe.gjs-frame'))!.contentFrame();
    await textIn(again, 'Ask for Sam in the workshop.');
    await previewUntil(page, () => document.body.innerText.includes('Ask for Sam in the workshop.'), 'the saved signature');
    await (await textIn(again, 'Ask for Sam in the workshop.')).evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: join(ARTIFACTS, '5-dealer-saved-signature.png') });
    await page.browserContext().close();
  });

  it('gives every shipped email master back from the editor as it went in: head, Liquid, tables and slots', async () => {
    const { body } = await t.http().get('/api/templates?channel=email&pageSize=1000').set(bearer(net.brandAdminToken));
    const masters: { key: string; locale: string; body: string }[] = [];
    for (const item of body.items) {
      const detail = await t.http().get(`/api/templates/${item.id}`).set(bearer(net.brandAdminToken));
      masters.push({ key: `${item.key} ${item.locale}`, locale: item.locale, body: detail.body.draft.body });
    }
    expect(masters.length).toBeGreaterThanOrEqual(30);
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    await openInvitation(page, 'round-trip');
    const back = await page.evaluate((sources: string[]) => sources.map((source) => (window.forecourtStudio!.editor.load(source), window.forecourtStudio!.editor.getMjml())), masters.map((m) => m.body));
    // What may differ: whitespace between elements and the body width GrapesJS leaves out when it is MJML's default.
    const normal = (mjml: string) => mjml.replace(/>\s+</g, '><').replace(/ width="600px"(?=>)/, '').trim();
    const changed = masters.filter((m, i) => normal(back[i]) !== normal(m.body)).map((m) => m.key);
    expect(changed).toEqual([]);
    await page.browserContext().close();
  });

  it('shows the MJML errors of a refused save beside the editor, with their line and tag', async () => {
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    await openInvitation(page, 'errors');
    await page.click('[data-tab=head]');
    await page.click('textarea[name=mjml-head]');
    await page.keyboard.down('Control');
    await page.keyboard.press('End');
    await page.keyboard.up('Control');
    await page.keyboard.type('\n  <mj-bogus />');
    await page.click('#save');
    const error = await page.waitForSelector('.errors .error-item');
    const text = await error!.evaluate((e) => e.textContent ?? '');
    expect(text).toMatch(/^line \d+ <mj-bogus> body Element mj-bogus doesn't exist/);
    expect(await error!.$eval('code', (c) => c.textContent)).toBe('<mj-bogus />');
    expect(await page.$eval('.toolbar .status', (e) => e.className)).toContain('error');
    await page.screenshot({ path: join(ARTIFACTS, '6-brand-admin-mjml-error.png') });
    // Nothing was saved.
    const draft = await t.http().get(`/api/templates/${templateId}`).set(bearer(net.brandAdminToken));
    expect(draft.body.draft.body).not.toContain('mj-bogus');
    await page.browserContext().close();
  });

  it('edits a letter as HTML and CSS and previews it on its A4 sheet', async () => {
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    const link = await page.waitForSelector('[data-template="inspection-reminder/invite|letter|en"]');
    await link!.click();
    const code = await page.waitForSelector('textarea[name=body]');
    expect(await code!.evaluate((area) => (area as HTMLTextAreaElement).value)).toContain('data-slot="signature"');
    // The caret goes before </body>; the rest is typed.
    await code!.evaluate((area) => {
      const a = area as HTMLTextAreaElement;
      a.focus();
      a.setSelectionRange(a.value.indexOf('</body>'), a.value.indexOf('</body>'));
    });
    await page.keyboard.type('<p class="fc-small">Printed on recycled paper.</p>');
    const onSheet = () =>
      !!document.querySelector('.window') && [...document.querySelectorAll('*')].some((e) => e.shadowRoot?.textContent?.includes('Printed on recycled paper.'));
    expect(await previewUntil(page, onSheet, 'the letter on its sheet')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, '8-letter.png') });
    await page.click('#save');
    await page.waitForFunction(() => document.querySelector('.toolbar .status')?.textContent === 'Draft saved.');
    await page.browserContext().close();
  });

  it("previews a brand's theme while it is edited and saves it", async () => {
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    await page.waitForSelector('[data-template]');
    await page.goto(`${t.url}/studio/themes/${net.brands[1].id}`);
    const primary = await page.waitForSelector('#theme-form input[name=primaryColor]');
    await primary!.click({ clickCount: 3 });
    await page.keyboard.type('#aa3300');
    // Not saved yet, and the preview already wears it.
    const coloured = await previewUntil(
      page,
      () => {
        const h = [...document.querySelectorAll('div')].find((d) => d.textContent?.startsWith('Time for your inspection'));
        return h && getComputedStyle(h).color === 'rgb(170, 51, 0)';
      },
      'the colour being edited',
    );
    expect(coloured).toBe(true);
    expect((await t.http().get(`/api/brands/${net.brands[1].id}`).set(bearer(net.adminToken))).body.theme.primaryColor).toBe('#127a3a');
    await page.screenshot({ path: join(ARTIFACTS, '7-theme-editor.png') });
    await page.click('#theme-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#theme-form .status')?.textContent === 'Theme saved.');
    const saved = await t.http().get(`/api/brands/${net.brands[1].id}`).set(bearer(net.adminToken));
    expect(saved.body.theme).toMatchObject({ primaryColor: '#aa3300', logoUrl: LOGO_URL });
    await page.browserContext().close();
  });

  it('a brand admin opens a text to dealers, inserts a merge field, saves, and rolls back to the first version', async () => {
    const page = await open();
    await logIn(page, 'studio@fixture.test');
    const canvas = await openInvitation(page, 'slots');
    const promise = await textIn(canvas, 'We take care of everything');
    await promise.click();
    await page.click('[data-tab=settings]');
    await page.type('input[name=slot-name]', 'promise');
    await page.select('select[name=slot-kind]', 'text');
    await page.type('input[name=slot-max-length]', '300');
    await page.click('input[name=slot-open]');

    // Marking it drew the text again: found anew.
    await (await textIn(canvas, 'We take care of everything')).click({ clickCount: 2 });
    await page.keyboard.down('Control');
    await page.keyboard.press('End');
    await page.keyboard.up('Control');
    await page.keyboard.type(' Questions? Call ');
    await page.click('button.field[data-path="dealer.phone"]');
    await page.keyboard.type(' any time.');
    await previewUntil(page, () => document.body.innerText.includes('The coffee is ready while you wait. Questions? Call +44 20 7946 0000 any time.'), 'the merge field filled in');
    await page.screenshot({ path: join(ARTIFACTS, '9-brand-admin-slot-and-merge-field.png') });
    await page.click('#save');
    await page.waitForFunction(() => document.querySelector('.toolbar .status')?.textContent === 'Draft saved.');
    const draft = (await t.http().get(`/api/templates/${templateId}`).set(bearer(net.brandAdminToken))).body.draft;
    expect(draft.slots).toEqual(expect.arrayContaining([{ name: 'promise', kind: 'text', maxLength: 300 }, expect.objectContaining({ name: 'signature' })]));
    expect(draft.body).toMatch(/<mj-text css-class="fc-slot-promise">We take care of everything[^<]*Questions\? Call {{ dealer.phone }} any time\.<\/mj-text>/);

    await page.click('#versions');
    await (await page.waitForSelector('button[data-version="1"]'))!.click();
    await page.waitForFunction(() => /^Version 1 restored as version \d+\.$/.test(document.querySelector('.toolbar .status')?.textContent ?? ''));
    await textIn(canvas, 'Time for your inspection');
    const restored = await page.evaluate(() => window.forecourtStudio!.editor.getMjml());
    expect(restored).toContain('>Time for your inspection</mj-text>');
    expect(restored).not.toContain('fc-slot-promise');
    const versions = (await t.http().get(`/api/templates/${templateId}/versions`).set(bearer(net.brandAdminToken))).body.items;
    expect(versions.find((v: { restoredFrom?: number }) => v.restoredFrom === 1)).toBeDefined();
    await page.screenshot({ path: join(ARTIFACTS, '10-brand-admin-rolled-back.png') });
    await page.browserContext().close();
  });

  it('left no Content-Security-Policy violations or script errors in the console', () => {
    // The refused save above is the one error the browser reports (a 400 from the API).
    expect(browserProblems(consoleLines)).toEqual(['error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });
});
