import { addDays } from '@forecourt/sdk';
import { DataSource } from 'typeorm';
import { deriveKey } from '../apps/host/src/config/forecourt-config';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { LinkTokens } from '../apps/host/src/rendering/link-tokens';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The preference center and one-click unsubscribe, driven from the links of emails as the SMTP
 * server received them: a run invites, the customers act on their links, the next run (the
 * reminder, 14 days later) follows what they chose. Runs are dated from today on, since the
 * customers' statements are made now.
 */
const DAY0 = new Date().toISOString().slice(0, 10);
const LOGO = 'https://cdn.brand.test/logo.png';

interface Mail {
  html: string;
  preferences: string;
  oneClick: string;
  headers: Record<string, string>;
}

describe('preference center and one-click unsubscribe', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let dealerId: string;
  const mails = new Map<string, Mail>();
  const savedSmtp = process.env.SMTP_URL;

  const api = () => ({ 'X-Api-Key': net.dealerA.apiKey });
  const put = async (path: string, body: object) => {
    const res = await t.http().put(`/api/dealers/${dealerId}${path}`).set(api()).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const run = async (asOf: string) => {
    const res = await t.http().post('/api/runs').set(bearer(net.dealerA.adminToken)).send({ asOf, wait: true });
    if (res.status !== 200) throw new Error(`run ${asOf}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const path = (url: string) => url.slice(t.config.publicUrl.length);
  const ledger = (customer: string) =>
    t.ownerQuery<{ channel: string; purpose: string; vehicle: string | null; granted: boolean; source: string }>(
      `SELECT e.channel, e.purpose, v.external_id AS vehicle, e.granted, e.source
         FROM consents e JOIN customers c ON c.id = e.customer_id LEFT JOIN vehicles v ON v.id = e.vehicle_id
        WHERE c.external_id = $1 AND e.dealer_id = $2 ORDER BY e.recorded_at, e.channel, e.purpose, v.external_id`,
      [customer, dealerId],
    );
  const customer = async (externalId: string) =>
    (await t.ownerQuery<{ email: string; phone: string | null }>('SELECT email, phone FROM customers WHERE dealer_id = $1 AND external_id = $2', [dealerId, externalId]))[0];
  const messagesOn = (day: string) =>
    t.ownerQuery<{ customer: string; step: string; channel: string; vehicles: string[] }>(
      `SELECT c.external_id AS customer, m.step, m.channel,
              ARRAY(SELECT v.external_id FROM vehicles v WHERE v.id = ANY(m.vehicle_ids) ORDER BY v.external_id) AS vehicles
         FROM messages m JOIN customers c ON c.id = m.customer_id
        WHERE m.dealer_id = $1 AND m.send_on = $2 AND m.service_key = 'inspection-reminder' ORDER BY c.external_id`,
      [dealerId, day],
    );
  /** The form fields of a page as a browser would post them (ticked checkboxes, inputs, the hidden version). */
  const formOf = (html: string): [string, string][] => {
    const fields: [string, string][] = [];
    for (const m of html.matchAll(/<input ([^>]*)>/g)) {
      const attr = (name: string) => m[1].match(new RegExp(`${name}="([^"]*)"`))?.[1];
      const type = attr('type');
      const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      if (type === 'checkbox' && !/\bchecked\b/.test(m[1])) continue;
      fields.push([attr('name')!, decode(attr('value') ?? '')]);
    }
    return fields;
  };
  const encode = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const post = (url: string, fields: [string, string][]) => t.http().post(url).type('form').send(encode(fields));
  const vehicleId = async (externalId: string) =>
    (await t.ownerQuery<{ id: string }>('SELECT id FROM vehicles WHERE dealer_id = $1 AND external_id = $2', [dealerId, externalId]))[0].id;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    dealerId = net.dealerA.id;
    const brandId = net.brands[0].id;
    await t.ownerQuery(`UPDATE brands SET theme = theme || jsonb_build_object('logoUrl', $2::text) WHERE id = $1`, [brandId, LOGO]);
    const due = addDays(DAY0, 42);
    await put('/customers/FLEET', { kind: 'company', companyName: 'Bakkerij Vos BV', email: 'fleet@prefs.test', locale: 'nl' });
    await put('/vehicles/F1', { customerExternalId: 'FLEET', brandId, model: 'Vela Cargo', licensePlate: 'VX-101-F', inspectionDueDate: due });
    await put('/vehicles/F2', { customerExternalId: 'FLEET', brandId, model: 'Vela City', licensePlate: 'VX-202-F', inspectionDueDate: due });
    await put('/customers/DE', { kind: 'person', firstName: 'Jana', lastName: 'Becker', email: 'de@prefs.test', locale: 'de' });
    await put('/vehicles/VDE', { customerExternalId: 'DE', brandId, model: 'Vela Tour', licensePlate: 'B-JB-1', inspectionDueDate: due });
    await put('/customers/EN', { kind: 'person', firstName: 'Sam', lastName: 'Hill', email: 'en@prefs.test', locale: 'en' });
    await put('/vehicles/VEN', { customerExternalId: 'EN', brandId, model: 'Vela Sport', licensePlate: 'EN-1', inspectionDueDate: due });
    await put('/customers/OC', { kind: 'person', firstName: 'Olga', lastName: 'Claes', email: 'oc@prefs.test', locale: 'nl' });
    await put('/vehicles/VOC', { customerExternalId: 'OC', brandId, model: 'Vela City', licensePlate: 'OC-1', inspectionDueDate: due });
    const enabled = await t.http().put(`/api/dealers/${dealerId}/services/inspection-reminder`).set(bearer(net.dealerA.adminToken)).send({ enabled: true });
    if (enabled.status !== 200) throw new Error(`enable: ${enabled.status} ${JSON.stringify(enabled.body)}`);
    await run(DAY0);
    await t.app.get(DispatchWorker).drain({ dealerIds: [dealerId] });
    for (const mail of smtp.received) {
      const parsed = await smtp.parse(mail);
      const html = parsed.html ?? '';
      const headers = Object.fromEntries(parsed.headers.map((h) => [h.key.toLowerCase(), h.value]));
      const preferences = html.match(/href="([^"]*\/p\/[A-Za-z0-9_-]+)"/)![1];
      const oneClick = (headers['list-unsubscribe'] ?? '').replace(/^<|>$/g, '');
      mails.set(mail.to[0], { html, preferences, oneClick, headers });
    }
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    if (savedSmtp === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedSmtp;
  });

  it('sends each invitation with a preference link and RFC 8058 one-click headers', () => {
    expect([...mails.keys()].sort()).toEqual(['de@prefs.test', 'en@prefs.test', 'fleet@prefs.test', 'oc@prefs.test']);
    for (const mail of mails.values()) {
      expect(mail.preferences).toMatch(new RegExp(`^${t.config.publicUrl}/p/[A-Za-z0-9_-]{60,80}$`));
      expect(mail.oneClick).toMatch(new RegExp(`^${t.config.publicUrl}/u/[A-Za-z0-9_-]{60,80}$`));
      expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      expect(mail.html).toContain(`${mail.preferences}?unsubscribe=1`);
    }
  });

  it('shows the effective choices in the customer language, themed by the message brand, with safe headers', async () => {
    const res = await t.http().get(path(mails.get('fleet@prefs.test')!.preferences));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toMatch(/noindex/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['content-security-policy']).not.toMatch(/script-src/);
    const html = res.text;
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain(`<form method="post" action="${mails.get('fleet@prefs.test')!.preferences.split('/p/')[1]}">`);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Uw voorkeuren');
    expect(html).toContain('dealer-a');
    expect(html).toContain(`<img src="${LOGO}"`);
    const [brand] = await t.ownerQuery<{ color: string }>(`SELECT theme->>'primaryColor' AS color FROM brands WHERE id = $1`, [net.brands[0].id]);
    expect(html).toContain(`background:${brand.color}`);
    // Real labels for every checkbox, in fieldsets with legends.
    for (const m of html.matchAll(/<input type="checkbox" id="([^"]+)"/g)) expect(html).toContain(`<label for="${m[1]}">`);
    expect(html.match(/<fieldset/g)!.length).toBe(html.match(/<legend>/g)!.length);
    // Service is on by default on every channel, marketing off; both vehicles ticked.
    const form = formOf(html);
    expect(form.filter(([k]) => k === 'channel').map(([, v]) => v)).toEqual(['email', 'sms', 'letter', 'phone']);
    expect(form.filter(([k]) => k === 'purpose').map(([, v]) => v)).toEqual(['service']);
    expect(form.filter(([k]) => k === 'vehicle')).toHaveLength(2);
    expect(html).toContain('Vela Cargo · VX101F');
    expect(html).toContain('Vela City · VX202F');
    expect(form.find(([k]) => k === 'nothing')).toBeUndefined();
    expect(form.find(([k]) => k === 'email')![1]).toBe('fleet@prefs.test');

    const de = await t.http().get(path(mails.get('de@prefs.test')!.preferences));
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain('Ihre Einstellungen');
    const en = await t.http().get(path(mails.get('en@prefs.test')!.preferences));
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Your preferences');
    expect(en.text).toContain('Vela Sport · EN1');
  });

  it('pre-selects "nothing more" for ?unsubscribe=1 and changes nothing on GET or HEAD', async () => {
    const before = await t.ownerQuery('SELECT count(*)::int AS n FROM consents');
    const url = path(mails.get('en@prefs.test')!.preferences);
    const res = await t.http().get(`${url}?unsubscribe=1`);
    expect(res.status).toBe(200);
    expect(formOf(res.text)).toContainEqual(['nothing', '1']);
    const head = await t.http().head(url);
    expect(head.status).toBe(200);
    expect(head.headers['cache-control']).toBe('no-store');
    expect(head.text ?? '').toBe('');
    await t.http().head(`${path(mails.get('en@prefs.test')!.oneClick)}`);
    await t.http().get(`${path(mails.get('en@prefs.test')!.oneClick)}`);
    expect(await t.ownerQuery('SELECT count(*)::int AS n FROM consents')).toEqual(before);
  });

  it('reads the page in one statement that leaves no dealer set on the pooled connection, and sees nothing of another dealer', async () => {
    const [message] = await t.ownerQuery<{ id: string }>(`SELECT m.id FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'FLEET'`);
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      const [{ state }] = await runner.query('SELECT forecourt_preference_state($1, $2) AS state', [dealerId, message.id]);
      expect(state.customerExternalId).toBe('FLEET');
      expect(await runner.query(`SELECT current_setting('forecourt.dealer_id', true) AS dealer`)).toEqual([{ dealer: '' }]);
      expect(await runner.query('SELECT count(*)::int AS n FROM customers')).toEqual([{ n: 0 }]);
      // Dealer B's wall around dealer A's message: no state.
      expect(await runner.query('SELECT forecourt_preference_state($1, $2) AS state', [net.dealerB.id, message.id])).toEqual([{ state: null }]);
    } finally {
      await runner.release();
    }
  });

  it('reads page views asked for at once together, each behind its own dealer wall', async () => {
    const messages = await t.ownerQuery<{ id: string; external_id: string }>(
      `SELECT m.id, c.external_id FROM messages m JOIN customers c ON c.id = m.customer_id WHERE m.channel = 'email' ORDER BY c.external_id`,
    );
    const tokens = t.app.get(LinkTokens);
    const asked = [
      ...messages.map((m) => ({ expect: m.external_id, token: tokens.sign('preferences', { dealerId, messageId: m.id }) })),
      // A signed claim that puts dealer A's message in dealer B's room: B's wall shows nothing of it.
      ...messages.map((m) => ({ expect: null, token: tokens.sign('preferences', { dealerId: net.dealerB.id, messageId: m.id }) })),
    ];
    const pages = await Promise.all(asked.map((a) => t.http().get(`/p/${a.token}`)));
    const names: Record<string, string> = { FLEET: 'Bakkerij Vos BV', DE: 'de@prefs.test', EN: 'en@prefs.test', OC: 'oc@prefs.test' };
    pages.forEach((page, i) => {
      if (asked[i].expect === null) {
        expect(page.status).toBe(404);
        for (const shown of Object.values(names)) expect(page.text).not.toContain(shown);
      } else {
        expect(page.status).toBe(200);
        const own = names[asked[i].expect!];
        if (own?.includes('@')) expect(page.text).toContain(own);
        for (const [other, shown] of Object.entries(names)) if (other !== asked[i].expect && shown.includes('@')) expect(page.text).not.toContain(shown);
      }
    });
  });

  it('leads a tampered, garbage, wrong-purpose or expired token nowhere, revealing nothing', async () => {
    const good = path(mails.get('fleet@prefs.test')!.preferences);
    const at = good.length - 8;
    const tampered = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
    const oneClickToken = mails.get('fleet@prefs.test')!.oneClick.split('/u/')[1];
    const keys = { preferencesKey: deriveKey(t.config, 'preferences') };
    const [message] = await t.ownerQuery<{ id: string }>(`SELECT m.id FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'FLEET'`);
    const expired = new LinkTokens(deriveKey(t.config, 'links'), { ...keys, now: () => Date.now() - 91 * 86_400_000 }).sign('preferences', { dealerId, messageId: message.id });
    const otherKey = new LinkTokens(deriveKey(t.config, 'links')).sign('preferences', { dealerId, messageId: message.id });
    const before = await t.ownerQuery('SELECT count(*)::int AS n FROM consents');
    for (const [url, status] of [
      [tampered, 404],
      ['/p/garbage', 404],
      [`/p/${'A'.repeat(70)}`, 404],
      [`/p/${oneClickToken}`, 404],
      [`/u/${good.slice(3)}`, 404],
      [`/p/${otherKey}`, 404],
      [`/p/${expired}`, 410],
    ] as const) {
      const res = await t.http().get(url);
      expect([url, res.status]).toEqual([url, status]);
      expect(res.headers['cache-control']).toBe('no-store');
      for (const secret of ['dealer-a', 'Bakkerij', 'VX101F', 'fleet@prefs.test', LOGO]) expect(res.text).not.toContain(secret);
      expect(res.text).toMatch(/<section lang="nl">.*<section lang="de">.*<section lang="en">/);
      const posted = await t.http().post(url).type('form').send('nothing=1&version=x');
      expect(posted.status).toBe(status);
    }
    expect((await t.http().post(`/u/${good.slice(3)}`).send('List-Unsubscribe=One-Click')).status).toBe(404);
    expect(await t.ownerQuery('SELECT count(*)::int AS n FROM consents')).toEqual(before);
  });

  it('saves an unticked vehicle as one statement about it, and refuses a stale form with the current state (409)', async () => {
    const url = path(mails.get('fleet@prefs.test')!.preferences);
    const page = await t.http().get(url);
    const form = formOf(page.text);
    const f1 = await vehicleId('F1');
    const saved = await post(url, form.filter(([k, v]) => !(k === 'vehicle' && v === f1)));
    expect(saved.status).toBe(303);
    // Relative to the page, so a PUBLIC_URL with a path works too.
    expect(saved.headers.location).toBe(`${url.slice('/p/'.length)}?saved=1`);
    expect(await ledger('FLEET')).toEqual([{ channel: 'all', purpose: 'all', vehicle: 'F1', granted: false, source: 'preference-center' }]);
    const after = await t.http().get(`${url}?saved=1`);
    expect(after.text).toContain('Uw voorkeuren zijn opgeslagen.');
    expect(formOf(after.text).filter(([k]) => k === 'vehicle').map(([, v]) => v)).toEqual([await vehicleId('F2')]);

    // The old form again, now with marketing ticked: refused, the newer choice stands.
    const stale = await post(url, [...form, ['purpose', 'marketing']]);
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('intussen gewijzigd');
    expect(formOf(stale.text).filter(([k]) => k === 'vehicle').map(([, v]) => v)).toEqual([await vehicleId('F2')]);
    expect(await ledger('FLEET')).toHaveLength(1);
  });

  it('names the field of a bad phone number or email address and saves nothing; a good phone number is stored as E.164', async () => {
    const url = path(mails.get('de@prefs.test')!.preferences);
    const form = formOf((await t.http().get(url)).text);
    const set = (fields: [string, string][], name: string, value: string) => fields.map(([k, v]): [string, string] => [k, k === name ? value : v]);
    const badPhone = await post(url, set(form, 'phone', 'call me'));
    expect(badPhone.status).toBe(400);
    expect(badPhone.text).toContain('phone: ');
    expect(badPhone.text).toContain('aria-invalid="true"');
    const badEmail = await post(url, set(form, 'email', 'not-an-address'));
    expect(badEmail.status).toBe(400);
    expect(badEmail.text).toContain('email: must be an email address');
    expect(await ledger('DE')).toEqual([]);
    // Without an address on record (a letter customer) the field may stay empty.
    await t.ownerQuery(`UPDATE customers SET email = NULL WHERE dealer_id = $1 AND external_id = 'DE'`, [dealerId]);
    const noEmail = formOf((await t.http().get(url)).text);
    expect(noEmail.find(([k]) => k === 'email')).toEqual(['email', '']);
    expect((await post(url, noEmail)).status).toBe(303);
    await t.ownerQuery(`UPDATE customers SET email = 'de@prefs.test' WHERE dealer_id = $1 AND external_id = 'DE'`, [dealerId]);
    const good = await post(url, set(form, 'phone', '0049 (170) 123-4567'));
    expect(good.status).toBe(303);
    expect((await customer('DE')).phone).toBe('+491701234567');
    const [audit] = await t.ownerQuery<{ action: string; actor_label: string }>(`SELECT action, actor_label FROM audit_log WHERE entity_id = 'DE' ORDER BY id DESC LIMIT 1`);
    expect(audit).toEqual({ action: 'customer.contact.update', actor_label: 'preference-center' });
  });

  it('one-click unsubscribes from email once; a replay after re-subscribing changes nothing', async () => {
    const oneClick = path(mails.get('en@prefs.test')!.oneClick);
    const res = await t.http().post(oneClick).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are unsubscribed');
    expect(await ledger('EN')).toEqual([{ channel: 'email', purpose: 'all', vehicle: null, granted: false, source: 'one-click-unsubscribe' }]);
    // Back in through the preference center: email ticked again.
    const url = path(mails.get('en@prefs.test')!.preferences);
    const form = formOf((await t.http().get(url)).text);
    expect(form.filter(([k]) => k === 'channel').map(([, v]) => v)).toEqual(['sms', 'letter', 'phone']);
    expect((await post(url, [...form, ['channel', 'email']])).status).toBe(303);
    expect((await ledger('EN')).slice(1)).toEqual([{ channel: 'email', purpose: 'service', vehicle: null, granted: true, source: 'preference-center' }]);
    // The same one-click again (a scanner, a replayed request): 200, and the newer choice stands.
    const replay = await t.http().post(oneClick).send('List-Unsubscribe=One-Click');
    expect(replay.status).toBe(200);
    expect(await ledger('EN')).toHaveLength(2);
    expect(formOf((await t.http().get(url)).text).filter(([k]) => k === 'channel').map(([, v]) => v)).toEqual(['email', 'sms', 'letter', 'phone']);
  });

  it('the next run follows the choices: the unticked vehicle left out, no email after one-click, the re-subscribed customer reminded', async () => {
    const ocClick = await t.http().post(path(mails.get('oc@prefs.test')!.oneClick)).send('List-Unsubscribe=One-Click');
    expect(ocClick.status).toBe(200);
    const day = addDays(DAY0, 14);
    await run(day);
    const planned = await messagesOn(day);
    expect(planned.filter((m) => m.channel === 'email' && m.customer !== 'C1')).toEqual([
      { customer: 'DE', step: 'reminder', channel: 'email', vehicles: ['VDE'] },
      { customer: 'EN', step: 'reminder', channel: 'email', vehicles: ['VEN'] },
      { customer: 'FLEET', step: 'reminder', channel: 'email', vehicles: ['F2'] },
    ]);
  });

  it('changes the email address only after the link sent to the new address is confirmed, once', async () => {
    const url = path(mails.get('fleet@prefs.test')!.preferences);
    const form = formOf((await t.http().get(url)).text).map(([k, v]): [string, string] => [k, k === 'email' ? 'Fleet.Manager@prefs.test' : v]);
    const saved = await post(url, form);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`${url.slice('/p/'.length)}?saved=1&email=sent`);
    expect((await t.http().get(`${url}?saved=1&email=sent`)).text).toContain('bevestigingslink naar het nieuwe e-mailadres');
    expect((await customer('FLEET')).email).toBe('fleet@prefs.test');
    // The background worker may send it first; drain sends it if not.
    await t.app.get(DispatchWorker).drain({ dealerIds: [dealerId] });
    for (let i = 0; i < 100 && !smtp.received.some((m) => m.to.includes('fleet.manager@prefs.test')); i++) await new Promise((r) => setTimeout(r, 100));
    const mail = smtp.received.find((m) => m.to.includes('fleet.manager@prefs.test'))!;
    expect(mail).toBeDefined();
    const parsed = await smtp.parse(mail);
    expect(parsed.subject).toBe('Bevestig uw nieuwe e-mailadres');
    let link = parsed.html!.match(/href="([^"]*\/(?:p\/confirm|t\/c)\/[A-Za-z0-9_-]+)"/)![1];
    if (link.includes('/t/c/')) link = (await t.http().get(path(link)).redirects(0)).headers.location;
    expect(link).toMatch(/\/p\/confirm\/[A-Za-z0-9_-]+$/);
    const page = await t.http().get(path(link));
    expect(page.status).toBe(200);
    expect(page.text).toContain('fleet.manager@prefs.test');
    expect(page.text).toContain('method="post"');
    expect((await customer('FLEET')).email).toBe('fleet@prefs.test');
    const confirmed = await t.http().post(path(link));
    expect(confirmed.status).toBe(200);
    expect((await customer('FLEET')).email).toBe('fleet.manager@prefs.test');
    expect((await t.http().post(path(link))).status).toBe(404);

    // A second change left unconfirmed past its time changes nothing.
    const again = formOf((await t.http().get(url)).text).map(([k, v]): [string, string] => [k, k === 'email' ? 'late@prefs.test' : v]);
    expect((await post(url, again)).status).toBe(303);
    const [change] = await t.ownerQuery<{ id: string }>(`SELECT id FROM email_changes WHERE new_email = 'late@prefs.test'`);
    await t.ownerQuery(`UPDATE email_changes SET expires_at = now() - interval '1 minute' WHERE id = $1`, [change.id]);
    const late = `/p/confirm/${t.app.get(LinkTokens).sign('email-change', { dealerId, messageId: change.id })}`;
    expect((await t.http().get(late)).status).toBe(404);
    expect((await t.http().post(late)).status).toBe(404);
    const expiredToken = new LinkTokens(deriveKey(t.config, 'links'), { preferencesKey: deriveKey(t.config, 'preferences'), now: () => Date.now() - 49 * 3_600_000 });
    expect((await t.http().post(`/p/confirm/${expiredToken.sign('email-change', { dealerId, messageId: change.id })}`)).status).toBe(410);
    expect((await customer('FLEET')).email).toBe('fleet.manager@prefs.test');
  });
});
