import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { projectRoot } from '../apps/host/src/config/project-root';
import { FileTemplateSource } from '../apps/host/src/rendering/file-template.source';
import { RenderingService } from '../apps/host/src/rendering/rendering.service';
import { TemplateImporter } from '../apps/host/src/templates/template-importer';
import { bearer, createNetwork, FIXTURE_ENV, login, NetworkFixture, PASSWORD } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The template API behind the studio: the shipped masters imported at boot, drafts, immutable
 * versions, rollback, sanitising, MJML and Liquid checks, dealer slots (and the wall around
 * them), the preview, and dispatch rendering the published version with the dealer's slots.
 */

let t: TestApp;
let net: NetworkFixture;
let logoBrandId: string;
const JSON_ACCEPT = { Accept: 'application/json' };

interface Summary {
  id: string;
  key: string;
  channel: string;
  locale: string;
  format: string;
  publishedVersion: number | null;
  slots: { name: string; kind: string }[];
}

async function all(headers: Record<string, string>): Promise<Summary[]> {
  const res = await t.http().get('/api/templates?pageSize=1000').set(headers);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function find(key: string, channel: string, locale: string): Promise<Summary> {
  const found = (await all(net.callers['brand-admin'])).find((s) => s.key === key && s.channel === channel && s.locale === locale);
  if (!found) throw new Error(`no ${key} ${channel} ${locale}`);
  return found;
}

beforeAll(async () => {
  t = await startTestApp(FIXTURE_ENV);
  net = await createNetwork(t);
  const res = await t
    .http()
    .post('/api/brands')
    .set(bearer(net.adminToken))
    .send({ key: 'lumo', name: 'Lumo', theme: { primaryColor: '#f5c400', logoUrl: 'https://cdn.lumo.test/logo.png', footerHtml: '<b>Lumo Nederland</b>' } });
  logoBrandId = res.body.id;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('shipped masters', () => {
  it('are imported at first boot: every service step, channel and locale, published, with the signature slot opened', async () => {
    const items = await all(net.callers['brand-admin']);
    const files = await new FileTemplateSource().list();
    const expected = files.flatMap((f) => Object.entries(f.channels).flatMap(([channel, locales]) => locales.map((l) => `${f.template}|${channel}|${l}`)));
    expect(items.map((i) => `${i.key}|${i.channel}|${i.locale}`).sort()).toEqual(expected.sort());
    expect(items.every((i) => i.publishedVersion === 1)).toBe(true);
    const invite = items.find((i) => i.key === 'inspection-reminder/invite' && i.channel === 'email' && i.locale === 'nl')!;
    expect(invite.format).toBe('mjml');
    expect(invite.slots).toEqual([expect.objectContaining({ name: 'signature', kind: 'rich-text' })]);
    const letter = items.find((i) => i.key === 'inspection-reminder/invite' && i.channel === 'letter' && i.locale === 'de')!;
    expect(letter.slots.map((s) => s.name)).toEqual(['signature']);
  });

  it('render for every brand and in every locale without errors or unresolved merge fields', async () => {
    const items = await all(net.callers['brand-admin']);
    const brands = [net.brands[0].id, logoBrandId];
    const problems: string[] = [];
    for (const item of items) {
      for (const brandId of brands) {
        for (const fleet of [false, true]) {
          const sample = `${fleet ? 'fleet' : 'person'}-${item.locale}`;
          const res = await t.http().post(`/api/templates/${item.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId, sample });
          const where = `${item.key} ${item.channel}.${item.locale} brand ${brandId === logoBrandId ? 'with logo' : 'without logo'} ${sample}`;
          if (res.status !== 201) {
            problems.push(`${where}: ${res.status} ${res.body.detail}`);
            continue;
          }
          expect(res.body.locale).toBe(item.locale);
          for (const [part, text] of Object.entries({ html: res.body.html, text: res.body.text, subject: res.body.subject })) {
            if (typeof text === 'string' && /\{\{|\{%|\[\[/.test(text)) problems.push(`${where}: unresolved in ${part}: ${/.{0,40}(\{\{|\{%|\[\[).{0,40}/s.exec(text)![0]}`);
          }
          if (item.channel === 'email' && !res.body.subject) problems.push(`${where}: no subject`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it('follow a changed shipped file unless a person edited the master; an edited one is kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'forecourt-templates-'));
    try {
      cpSync(join(projectRoot(), 'templates'), root, { recursive: true });
      const edited = await find('inspection-reminder/appointment-sms', 'sms', 'en');
      const untouched = await find('inspection-reminder/appointment-sms', 'sms', 'de');
      const put = await t.http().put(`/api/templates/${edited.id}`).set(net.callers['brand-admin']).send({ body: 'Welcome at {{ dealer.name }}, from the brand. [[ partials.sms-stop ]]' });
      expect(put.status).toBe(200);
      for (const locale of ['en', 'de']) writeFileSync(join(root, 'inspection-reminder/appointment-sms', `sms.${locale}.txt`), `Shipped upgrade ${locale}: {{ dealer.name }}`);
      const dataSource = t.app.get(DataSource);
      const summary = await new TemplateImporter(dataSource, new FileTemplateSource(root)).run();
      expect(summary).toEqual({ created: 0, updated: 1, keptEdited: 1 });
      const de = await t.http().get(`/api/templates/${untouched.id}`).set(net.callers['brand-admin']);
      expect(de.body.publishedVersion).toBe(2);
      expect(de.body.published.body).toBe('Shipped upgrade de: {{ dealer.name }}');
      const en = await t.http().get(`/api/templates/${edited.id}`).set(net.callers['brand-admin']);
      expect(en.body.draft.body).toContain('from the brand');
      expect(en.body.publishedVersion).toBe(1);
      // Running it again changes nothing.
      expect(await new TemplateImporter(dataSource, new FileTemplateSource(root)).run()).toEqual({ created: 0, updated: 0, keptEdited: 1 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('drafts, versions and rollback', () => {
  it('a draft reaches nobody until published; publish makes a version every dealer renders at once; rollback restores one as a new version', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'nl');
    const original = (await t.http().get(`/api/templates/${invite.id}`).set(net.callers['brand-admin'])).body;
    const changed = original.draft.body.replace('Tijd voor de APK', 'Uw APK komt eraan');
    expect(changed).not.toBe(original.draft.body);
    const saved = await t.http().put(`/api/templates/${invite.id}`).set(net.callers['brand-admin']).send({ body: changed, subject: original.draft.subject, slots: original.draft.slots });
    expect(saved.status).toBe(200);
    expect(saved.body.hasUnpublishedChanges).toBe(true);

    const rendering = t.app.get(RenderingService);
    const request = {
      dealerId: net.dealerA.id,
      brandId: net.brands[0].id,
      template: 'inspection-reminder/invite',
      channel: 'email',
      locale: 'nl',
      data: { customer: { kind: 'person', firstName: 'Anna', lastName: 'de Vries' }, vehicles: [{ plate: 'AB-12-CD', inspectionDueDate: '2027-01-15' }] },
    };
    expect((await rendering.render(request)).html).toContain('Tijd voor de APK');
    const asDealer = await t.http().post(`/api/templates/${invite.id}/preview`).set(bearer(net.dealerA.adminToken)).set(JSON_ACCEPT).send({ brandId: net.brands[0].id });
    expect(asDealer.status).toBe(201);
    expect(asDealer.body.html).toContain('Tijd voor de APK');
    const draftPreview = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId: net.brands[0].id });
    expect(draftPreview.body.html).toContain('Uw APK komt eraan');

    const published = await t.http().post(`/api/templates/${invite.id}/publish`).set(net.callers['brand-admin']);
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(2);
    expect((await rendering.render(request)).html).toContain('Uw APK komt eraan');
    const again = await t.http().post(`/api/templates/${invite.id}/publish`).set(net.callers['brand-admin']);
    expect(again.body.version).toBe(2);

    const rolledBack = await t.http().post(`/api/templates/${invite.id}/rollback`).set(net.callers['brand-admin']).send({ version: 1 });
    expect(rolledBack.status).toBe(201);
    expect(rolledBack.body).toMatchObject({ version: 3, restoredFrom: 1 });
    expect((await rendering.render(request)).html).toContain('Tijd voor de APK');
    const versions = await t.http().get(`/api/templates/${invite.id}/versions`).set(net.callers['brand-admin']);
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const v2 = await t.http().get(`/api/templates/${invite.id}/versions/2`).set(net.callers['brand-admin']);
    expect(v2.body.body).toContain('Uw APK komt eraan');
    const missing = await t.http().post(`/api/templates/${invite.id}/rollback`).set(net.callers['brand-admin']).send({ version: 9 });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('version');
  });

  it('a published version cannot be changed or deleted, not even by the database owner', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'de');
    await expect(t.ownerQuery(`UPDATE template_versions SET body = 'x' WHERE template_id = $1`, [invite.id])).rejects.toThrow(/immutable/);
    await expect(t.ownerQuery(`DELETE FROM template_versions WHERE template_id = $1`, [invite.id])).rejects.toThrow(/immutable/);
  });

  it('only brand and network admins write masters; dealers read published ones without drafts', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'en');
    for (const caller of ['dealer-admin A', 'dealer-user A', 'api-key A']) {
      const res = await t.http().put(`/api/templates/${invite.id}`).set(net.callers[caller]).send({ body: 'x' });
      expect(res.status).toBe(403);
      expect((await t.http().post(`/api/templates/${invite.id}/publish`).set(net.callers[caller])).status).toBe(403);
    }
    const read = await t.http().get(`/api/templates/${invite.id}`).set(net.callers['dealer-admin A']);
    expect(read.status).toBe(200);
    expect(read.body.draft).toBeUndefined();
    expect(read.body.published.body).toContain('<mjml');
  });
});

describe('checks on save', () => {
  it('sanitises script, event handlers and script URLs, and keeps Liquid an editor escaped', async () => {
    const t1 = await find('birthday-greeting/greeting', 'email', 'en');
    const body = (await t.http().get(`/api/templates/${t1.id}`).set(net.callers['brand-admin'])).body.draft.body as string;
    const hostile = body.replace(
      '<mj-body',
      '<mj-raw><script>alert(1)</script><img src="x" onerror="alert(2)"></mj-raw><mj-body',
    )  .replace(/(<mj-text mj-class="fc-heading"[^>]*>)/, '$1<a href="JaVaScRiPt:alert(3)" onclick="alert(4)">x</a>{% if vehicles.size &gt; 0 %}cars{% endif %}');
    const res = await t.http().put(`/api/templates/${t1.id}`).set(net.callers['brand-admin']).send({ body: hostile });
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    const saved = res.body.draft.body as string;
    expect(saved).not.toMatch(/<script|onerror|onclick|javascript:/i);
    expect(saved).toContain('{% if vehicles.size > 0 %}cars{% endif %}');
    expect(res.body.sanitised).toEqual(expect.arrayContaining(['script', 'onerror on img', 'href on a', 'onclick on a']));
  });

  it('refuses invalid MJML with the line and tag, and broken Liquid, naming the field', async () => {
    const t1 = await find('birthday-greeting/greeting', 'email', 'nl');
    const bad = await t.http().put(`/api/templates/${t1.id}`).set(net.callers['brand-admin']).send({ body: '<mjml>\n<mj-body>\n<mj-section>\n<mj-text>text</mj-text>\n</mj-section>\n</mj-body>\n</mjml>' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'body', line: 4, tagName: 'mj-text' });
    const liquid = await t.http().put(`/api/templates/${t1.id}`).set(net.callers['brand-admin']).send({ body: '<mjml><mj-body><mj-section><mj-column><mj-text>{% if x %}open</mj-text></mj-column></mj-section></mj-body></mjml>' });
    expect(liquid.status).toBe(400);
    expect(liquid.body.errors[0].field).toBe('body');
    expect(liquid.body.errors[0].message).toMatch(/Liquid/);
    const subject = await t.http().put(`/api/templates/${t1.id}`).set(net.callers['brand-admin']).send({ body: '<mjml><mj-body><mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section></mj-body></mjml>', subject: '{{ customer.name ' });
    expect(subject.status).toBe(400);
    expect(subject.body.errors[0].field).toBe('subject');
    const slot = await t.http().put(`/api/templates/${t1.id}`).set(net.callers['brand-admin']).send({
      body: '<mjml><mj-body><mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section></mj-body></mjml>',
      slots: [{ name: 'intro', kind: 'text' }],
    });
    expect(slot.status).toBe(400);
    expect(slot.body.errors[0]).toMatchObject({ field: 'slots[0].name' });
    expect(slot.body.errors[0].message).toContain('fc-slot-intro');
    // Nothing of the refused saves reached the draft.
    const after = await t.http().get(`/api/templates/${t1.id}`).set(net.callers['brand-admin']);
    expect(after.body.draft.body).toContain('<mj-head>');
  });
});

describe('dealer slots', () => {
  it('a dealer fills the slots the brand opened; its messages and previews show them, other dealers do not', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'nl');
    const url = `/api/dealers/${net.dealerA.id}/template-slots/${invite.id}`;
    const before = await t.http().get(url).set(bearer(net.dealerA.adminToken));
    expect(before.status).toBe(200);
    expect(before.body.slots.map((s: { name: string }) => s.name)).toEqual(['signature']);
    expect(before.body.defaults.signature).toContain('{{ dealer.signature }}');

    const put = await t
      .http()
      .put(url)
      .set(bearer(net.dealerA.adminToken))
      .send({ slots: { signature: 'Groeten van <b>Team Noord</b><script>alert(1)</script> <a href="javascript:x()">link</a>, {{ dealer.name }}' } });
    expect(put.status).toBe(200);
    expect(put.body.values.signature).toBe('Groeten van <b>Team Noord</b> <a>link</a>, {{ dealer.name }}');

    const rendering = t.app.get(RenderingService);
    const request = (dealerId: string) => ({ dealerId, brandId: net.brands[0].id, template: 'inspection-reminder/invite', channel: 'email', locale: 'nl', data: { customer: { kind: 'person', firstName: 'Anna' }, vehicles: [{ plate: 'AB-12-CD' }] } });
    const a = (await rendering.render(request(net.dealerA.id))).html!;
    expect(a).toContain('Groeten van <b>Team Noord</b>');
    expect(a).toContain('dealer-a');
    const b = (await rendering.render(request(net.dealerB.id))).html!;
    expect(b).not.toContain('Team Noord');
    expect(b).toContain('Met vriendelijke groet');

    const preview = await t.http().post(`/api/templates/${invite.id}/preview`).set(bearer(net.dealerA.adminToken)).set(JSON_ACCEPT).send({ brandId: net.brands[0].id });
    expect(preview.body.html).toContain('Team Noord');
    const unsaved = await t.http().post(`/api/templates/${invite.id}/preview`).set(bearer(net.dealerA.adminToken)).set(JSON_ACCEPT).send({ brandId: net.brands[0].id, slots: { signature: 'Nog niet bewaard' } });
    expect(unsaved.body.html).toContain('Nog niet bewaard');

    const reset = await t.http().put(url).set(bearer(net.dealerA.adminToken)).send({ slots: { signature: null } });
    expect(reset.body.values).toEqual({});
    expect((await rendering.render(request(net.dealerA.id))).html).toContain('Met vriendelijke groet');
  });

  it('refuses a slot the brand did not open, and a document changed outside its slots, with 403 naming it', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'de');
    const url = `/api/dealers/${net.dealerB.id}/template-slots/${invite.id}`;
    const dealer = bearer(net.dealerB.adminToken);
    const closed = await t.http().put(url).set(dealer).send({ slots: { footer: 'mine now' } });
    expect(closed.status).toBe(403);
    expect(closed.body.detail).toContain('slots.footer');

    const body = (await t.http().get(`/api/templates/${invite.id}`).set(dealer)).body.published.body as string;
    const outside = body.replace('<mj-button ', '<mj-button background-color="#ff0000" ');
    const refused = await t.http().put(url).set(dealer).send({ body: outside });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/component .*mj-button 1.* has changed attributes/);
    const removed = await t.http().put(url).set(dealer).send({ body: body.replace(/<mj-button[\s\S]*?<\/mj-button>/, '') });
    expect(removed.status).toBe(403);
    expect(removed.body.detail).toMatch(/mj-button .*removed|mj-text .*mj-button|replaced/);

    const mine = body.replace(/(<mj-text css-class="fc-slot-signature"[^>]*>)[\s\S]*?(<\/mj-text>)/, '$1Mit freundlichen Grüßen, <i>Ihr Werkstatt-Team</i>$2');
    const accepted = await t.http().put(url).set(dealer).send({ body: mine });
    expect(accepted.status).toBe(200);
    expect(accepted.body.values.signature).toBe('Mit freundlichen Grüßen, <i>Ihr Werkstatt-Team</i>');
    const tooLong = await t.http().put(url).set(dealer).send({ slots: { signature: 'x'.repeat(601) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('slots.signature');
  });

  it('is walled: another dealer 404, a dealer user and the brand side may not write', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'nl');
    const other = `/api/dealers/${net.dealerB.id}/template-slots/${invite.id}`;
    expect((await t.http().get(other).set(bearer(net.dealerA.adminToken))).status).toBe(404);
    expect((await t.http().put(other).set(bearer(net.dealerA.adminToken)).send({ slots: { signature: 'x' } })).status).toBe(404);
    const own = `/api/dealers/${net.dealerA.id}/template-slots/${invite.id}`;
    expect((await t.http().get(own).set(bearer(net.dealerA.userToken))).status).toBe(200);
    expect((await t.http().put(own).set(bearer(net.dealerA.userToken)).send({ slots: { signature: 'x' } })).status).toBe(403);
    expect((await t.http().put(own).set(net.callers['brand-admin']).send({ slots: { signature: 'x' } })).status).toBe(403);
    // Row-level security underneath: without the dealer set, the app role sees no slot rows.
    const client = new Client({ connectionString: t.appUrl });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM dealer_template_slots')).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
    const stored = await t.ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM dealer_template_slots');
    expect(stored[0].n).toBeGreaterThan(0);
  });
});

describe('preview', () => {
  it('answers HTML under a CSP that lets nothing run, shows the brand theme and fleets, and names a bad brand', async () => {
    const invite = await find('inspection-reminder/invite', 'email', 'en');
    const html = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).send({ brandId: logoBrandId, sample: 'fleet-en' });
    expect(html.status).toBe(201);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.text).toContain('https://cdn.lumo.test/logo.png');
    expect(html.text.toLowerCase()).toContain('#f5c400');
    expect(html.text).toContain('LK22 FLT');
    const nl = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId: logoBrandId, sample: 'person-nl' });
    expect(nl.body.locale).toBe('nl');
    const unsaved = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId: logoBrandId, body: '<mjml><mj-body><mj-section><mj-column><mj-text>Unsaved {{ customer.firstName }}</mj-text></mj-column></mj-section></mj-body></mjml>' });
    expect(unsaved.body.html).toContain('Unsaved Emma');
    const bad = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).send({ brandId: '00000000-0000-4000-8000-000000000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('brandId');
    const notSold = await t.http().post(`/api/templates/${invite.id}/preview`).set(bearer(net.dealerA.adminToken)).send({ brandId: net.brands[1].id });
    expect(notSold.status).toBe(400);
    expect(notSold.body.errors[0].field).toBe('brandId');
    const tried = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId: logoBrandId, theme: { primaryColor: '#aa0011', footerHtml: 'Tried <script>x</script>footer' } });
    expect(tried.body.html.toLowerCase()).toContain('#aa0011');
    expect(tried.body.html).toContain('Tried footer');
    expect(tried.body.html).not.toContain('<script>x');
    const badTheme = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).send({ brandId: logoBrandId, theme: { primaryColor: 'red; x' } });
    expect(badTheme.status).toBe(400);
    expect(JSON.stringify(badTheme.body.errors)).toContain('theme.primaryColor');
    const samples = await t.http().get('/api/templates/samples').set(net.callers['brand-admin']);
    expect(samples.body.items.filter((s: { fleet: boolean }) => s.fleet).map((s: { locale: string }) => s.locale).sort()).toEqual(['de', 'en', 'nl']);
    const fields = await t.http().get('/api/templates/merge-fields').set(net.callers['brand-admin']);
    expect(fields.body.groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['customer', 'vehicles', 'dealer', 'appointment', 'links']));
  });

  it('shows a letter on its A4 sheet with the address in the envelope window, themed by the same tokens', async () => {
    const letter = await find('inspection-reminder/invite', 'letter', 'de');
    const res = await t.http().post(`/api/templates/${letter.id}/preview`).set(net.callers['brand-admin']).set(JSON_ACCEPT).send({ brandId: net.brands[1].id, sample: 'fleet-de' });
    expect(res.status).toBe(201);
    expect(res.body.page).toContain('width: 210mm');
    expect(res.body.page).toContain('<div>Transport Meyer GmbH</div><div>Am Hafen 3</div><div>80331  München</div>');
    expect(res.body.page).toContain('<template shadowrootmode="open">');
    expect(res.body.page.toLowerCase()).toContain('#127a3a');
    expect(res.body.page).toContain('M-TM 12');
    const html = await t.http().post(`/api/templates/${letter.id}/preview`).set(net.callers['brand-admin']).send({ brandId: net.brands[1].id, sample: 'fleet-de' });
    expect(html.text).toBe(res.body.page);
  });

  it("a brand's footer is sanitised when saved, and an inline data: logo reaches the preview", async () => {
    const logo = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const patched = await t
      .http()
      .patch(`/api/brands/${logoBrandId}`)
      .set(bearer(net.adminToken))
      .send({ theme: { primaryColor: '#f5c400', logoUrl: logo, footerHtml: '<b>Lumo</b><script>alert(1)</script><a href="javascript:alert(2)" onclick="x()">site</a><img src=x onerror=alert(3)>' } });
    expect(patched.status).toBe(200);
    expect(patched.body.theme.footerHtml).toBe('<b>Lumo</b><a>site</a>');
    const invite = await find('inspection-reminder/invite', 'email', 'en');
    const html = await t.http().post(`/api/templates/${invite.id}/preview`).set(net.callers['brand-admin']).send({ brandId: logoBrandId });
    expect(html.text).toContain(logo);
    expect(html.text).toContain('<b>Lumo</b><a>site</a>');
  });

  it('a dealer user logs in and previews with its own slots only', async () => {
    const token = await login(t, 'dealer-user@dealer-a.test', PASSWORD);
    const invite = await find('inspection-reminder/invite', 'email', 'nl');
    const res = await t.http().post(`/api/templates/${invite.id}/preview`).set(bearer(token)).set(JSON_ACCEPT).send({ brandId: net.brands[0].id, dealerId: net.dealerB.id });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('dealerId');
  });
});
