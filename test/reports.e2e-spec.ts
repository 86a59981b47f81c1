import { addDays } from '@forecourt/sdk';
import { parse } from 'csv-parse/sync';
import { bearer, createNetwork, FIXTURE_ENV, login, NetworkFixture, PASSWORD } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';
import { startTwilioServer, TwilioStandIn } from './support/twilio-server';

/** A Monday: the invitations of week 1 go out on it. */
const DAY0 = '2026-11-02';
const day = (n: number) => addDays(DAY0, n);
const WEEK1 = DAY0;
const WEEK2 = day(7);
const WEEK3 = day(14);
const WEEK5 = day(28);
const TWILIO_VARS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_API_URL'] as const;
const FIGURE_FIELDS = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'appointments', 'costCents'];

interface Customer {
  ext: string;
  firstName: string;
  lastName: string;
  email?: string;
  phone?: string;
  plate: string;
  dueIn: number;
}

interface Room {
  id: string;
  token: string;
  api: Record<string, string>;
  customers: Customer[];
}

interface MessageRow {
  id: string;
  customer: string;
  channel: string;
  step: string;
  status: string;
  send_on: string;
  dealer_cost_cents: number | null;
  went_out: boolean;
}

/**
 * Reports over a small network of four dealers selling one brand, with messages really sent by
 * runs (email to a real SMTP server, SMS through the twilio SDK to a Twilio-shaped server) and the
 * real events that follow: the open pixel and a click link from the received email, a bounce,
 * signed Twilio status callbacks, call outcomes, appointments booked through the API. The dealer
 * report counts what happened; the brand report sums dealers and hides small groups.
 */
describe('reports: dealer and brand figures from real sends and events', () => {
  let smtp: LoopbackSmtp;
  let twilioApi: TwilioStandIn;
  let t: TestApp;
  let net: NetworkFixture;
  const rooms: Record<'A' | 'B' | 'C' | 'D', Room> = {} as never;
  const saved = Object.fromEntries([...TWILIO_VARS, 'SMTP_URL'].map((name) => [name, process.env[name]]));

  const ok = async (promise: PromiseLike<{ status: number; body: any }>, what: string) => {
    const res = await promise;
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const run = (room: Room, asOf: string) => ok(t.http().post('/api/runs').set(bearer(room.token)).send({ asOf, wait: true }), `run ${asOf}`);
  const messages = (room: Room) =>
    t.ownerQuery<MessageRow>(
      `SELECT m.id, c.external_id AS customer, m.channel, m.step, m.status, m.send_on::text, m.dealer_cost_cents, m.sent_at IS NOT NULL AS went_out
         FROM messages m JOIN customers c ON c.dealer_id = m.dealer_id AND c.id = m.customer_id
        WHERE m.dealer_id = $1 ORDER BY m.send_on, c.external_id, m.step`,
      [room.id],
    );
  const messageOf = async (room: Room, customer: string, step: string) => (await messages(room)).find((m) => m.customer === customer && m.step === step)!;
  const events = (id: string) => t.ownerQuery<{ type: string; data: Record<string, unknown> }>('SELECT type, data FROM message_events WHERE message_id = $1 ORDER BY id', [id]);
  const appointment = (room: Room, ext: string, vehicle: string) =>
    ok(
      t.http().put(`/api/dealers/${room.id}/appointments/${ext}`).set(room.api).send({ vehicleExternalId: vehicle, type: 'inspection', startsAt: `${day(40)}T09:00:00Z`, status: 'booked' }),
      `appointment ${ext}`,
    );
  const dealerReport = (room: Room, query = `from=${WEEK1}&to=${day(29)}`, as: Record<string, string> = bearer(room.token)) =>
    t.http().get(`/api/dealers/${room.id}/reports?${query}`).set(as);
  const brandReport = (brandId = net.brands[0].id, query = `from=${WEEK1}&to=${day(29)}`, as: Record<string, string> = bearer(net.brandAdminToken)) =>
    t.http().get(`/api/brands/${brandId}/reports?${query}`).set(as);
  const bookedAt = async (room: Room, ext: string) =>
    (await t.ownerQuery<{ booked_at: Date }>(`SELECT booked_at FROM appointments WHERE dealer_id = $1 AND external_id = $2`, [room.id, ext]))[0].booked_at;
  const path = (url: string) => url.slice(t.config.publicUrl.length);
  const allCustomers = () => Object.values(rooms).flatMap((r) => r.customers);

  beforeAll(async () => {
    smtp = await startSmtpServer({ reject: { 'a4@report.test': { code: 550, message: '5.1.1 mailbox unknown' } } });
    twilioApi = await startTwilioServer();
    const env = { TWILIO_ACCOUNT_SID: twilioApi.accountSid, TWILIO_AUTH_TOKEN: twilioApi.authToken, TWILIO_FROM: '+3197010203040', TWILIO_API_URL: twilioApi.url };
    Object.assign(process.env, env, { SMTP_URL: smtp.url });
    t = await startTestApp({ ...FIXTURE_ENV, ...env });
    net = await createNetwork(t);
    const brandId = net.brands[0].id;
    const as = bearer(net.adminToken);
    // A web link in every email of the brand, for a click to follow (the booking link falls back to mailto: without a site).
    await ok(t.http().patch(`/api/brands/${brandId}`).set(as).send({ theme: { primaryColor: '#0b5fff', footerHtml: '<a href="https://www.vela.test/service">Vela service</a>' } }), 'theme');
    rooms.A = { id: net.dealerA.id, token: net.dealerA.adminToken, api: { 'X-Api-Key': net.dealerA.apiKey }, customers: [] };
    rooms.B = { id: net.dealerB.id, token: net.dealerB.adminToken, api: { 'X-Api-Key': net.dealerB.apiKey }, customers: [] };
    for (const key of ['C', 'D'] as const) {
      const dealer = await ok(t.http().post('/api/dealers').set(as).send({ key: `dealer-${key.toLowerCase()}`, name: `Dealer ${key}`, brandIds: [brandId], timezone: 'Europe/Amsterdam', locale: 'nl' }), `dealer ${key}`);
      const email = `dealer-admin@dealer-${key.toLowerCase()}.test`;
      await ok(t.http().post('/api/users').set(as).send({ email, password: PASSWORD, role: 'dealer-admin', dealerId: dealer.id }), `admin ${key}`);
      const token = await login(t, email, PASSWORD);
      const { key: apiKey } = await ok(t.http().post(`/api/dealers/${dealer.id}/api-keys`).set(bearer(token)).send({ name: 'reports' }), `key ${key}`);
      rooms[key] = { id: dealer.id, token, api: { 'X-Api-Key': apiKey }, customers: [] };
    }
    const person = async (room: Room, c: Customer) => {
      room.customers.push(c);
      await ok(t.http().put(`/api/dealers/${room.id}/customers/${c.ext}`).set(room.api).send({ kind: 'person', firstName: c.firstName, lastName: c.lastName, email: c.email, phone: c.phone }), c.ext);
      await ok(t.http().put(`/api/dealers/${room.id}/vehicles/V${c.ext}`).set(room.api).send({ customerExternalId: c.ext, brandId, licensePlate: c.plate, inspectionDueDate: day(c.dueIn) }), `V${c.ext}`);
    };
    const customer = (ext: string, dueIn: number, contact: { email?: string; phone?: string }): Customer => ({
      ext,
      firstName: `Rita${ext}`,
      lastName: `Verslag${ext}`,
      plate: `RP-${ext}-9`,
      dueIn,
      ...contact,
    });
    // Dealer A: every event of the issue. A1 opens and clicks and books; A2 opens and books too late;
    // A3 bounces later; the server refuses A4; A5 and A6 have a phone only (SMS, then the call list).
    await person(rooms.A, customer('A1', 42, { email: 'a1@report.test' }));
    await person(rooms.A, customer('A2', 42, { email: 'a2@report.test' }));
    await person(rooms.A, customer('A3', 42, { email: 'a3@report.test' }));
    await person(rooms.A, customer('A4', 42, { email: 'a4@report.test' }));
    await person(rooms.A, customer('A5', 42, { phone: '+31612345005' }));
    await person(rooms.A, customer('A6', 42, { phone: '+31612345006' }));
    // Week 1: B and C one invitation each (with A's four emails: 6 customers of 3 dealers).
    // Week 2: B and C three each (6 customers, but of 2 dealers). Week 3: B's and C's reminders
    // and D's one invitation (3 dealers, but 3 customers).
    for (const key of ['B', 'C'] as const) {
      await person(rooms[key], customer(`${key}1`, 42, { email: `${key.toLowerCase()}1@report.test` }));
      for (const n of [2, 3, 4]) await person(rooms[key], customer(`${key}${n}`, 49, { email: `${key.toLowerCase()}${n}@report.test` }));
    }
    await person(rooms.D, customer('D1', 56, { email: 'd1@report.test' }));

    await ok(
      t.http().put(`/api/dealers/${rooms.A.id}/services/inspection-reminder`).set(bearer(rooms.A.token)).send({ enabled: true, monthlyBudgetCents: 50_000, settings: { channels: ['email', 'sms'] } }),
      'enable A',
    );
    for (const key of ['B', 'C', 'D'] as const) {
      await ok(t.http().put(`/api/dealers/${rooms[key].id}/services/inspection-reminder`).set(bearer(rooms[key].token)).send({ enabled: true }), `enable ${key}`);
    }
    for (const key of ['A', 'B', 'C'] as const) await run(rooms[key], WEEK1);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    await twilioApi?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('sends the week 1 invitations: email where there is one, SMS for a phone only, the refused address failed', async () => {
    expect((await messages(rooms.A)).map((m) => `${m.customer} ${m.channel} ${m.status}`)).toEqual([
      'A1 email sent',
      'A2 email sent',
      'A3 email sent',
      'A4 email failed',
      'A5 sms sent',
      'A6 sms sent',
    ]);
    expect((await messages(rooms.B)).map((m) => `${m.customer} ${m.channel} ${m.status}`)).toEqual(['B1 email sent']);
    expect((await messages(rooms.C)).map((m) => `${m.customer} ${m.channel} ${m.status}`)).toEqual(['C1 email sent']);
  });

  it('records the open pixel and a click of the received email as events, and the status moves up', async () => {
    for (const [address, click] of [['a1@report.test', true], ['a2@report.test', false]] as const) {
      const mail = await smtp.parse(smtp.received.find((m) => m.to.includes(address))!);
      const pixel = /src="([^"]*\/t\/o\/[^"]+)"/.exec(mail.html ?? '')![1];
      expect((await t.http().get(path(pixel))).status).toBe(200);
      if (click) {
        const link = /href="([^"]*\/t\/c\/[^"]+)"/.exec(mail.html ?? '')![1];
        const redirect = await t.http().get(path(link)).redirects(0);
        expect(redirect.status).toBe(302);
        expect(redirect.headers.location).toBe('https://www.vela.test/service');
      }
    }
    const a1 = await messageOf(rooms.A, 'A1', 'invite');
    expect(a1.status).toBe('clicked');
    expect((await events(a1.id)).map((e) => e.type)).toEqual(['open', 'click']);
    expect((await messageOf(rooms.A, 'A2', 'invite')).status).toBe('opened');
  });

  it('records a bounce the dealer reports by the Message-ID of the received email, once, as an event, and the message as bounced', async () => {
    const a3 = await messageOf(rooms.A, 'A3', 'invite');
    const { messageId } = await smtp.parse(smtp.received.find((m) => m.to.includes('a3@report.test'))!);
    expect(messageId).toMatch(/^<.+@.+>$/);
    const bounce = (as: Record<string, string>, dealerId: string, body: object) => t.http().post(`/api/dealers/${dealerId}/email-bounces`).set(as).send(body);
    const report = { bounces: [{ messageId, reason: '5.1.1 mailbox unknown' }] };
    // Another dealer's key names a message it does not have: nothing happens.
    expect((await bounce(rooms.B.api, rooms.B.id, report)).body).toEqual({ applied: 0, recorded: 0, duplicates: 0, unmatched: 1 });
    expect((await bounce(rooms.B.api, rooms.A.id, report)).status).toBe(404);
    expect((await bounce(bearer(net.brandAdminToken), rooms.A.id, report)).status).toBe(403);
    const bad = await bounce(rooms.A.api, rooms.A.id, { bounces: [{ reason: 'x' }] });
    expect(bad.status).toBe(400);
    expect(new Set(bad.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['bounces.0.messageId']));
    expect(await events(a3.id)).toEqual([]);
    const res = await bounce(rooms.A.api, rooms.A.id, report);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ applied: 1, recorded: 0, duplicates: 0, unmatched: 0 });
    // The same bounce again, by the message's own id this time: seen before.
    expect((await bounce(rooms.A.api, rooms.A.id, { bounces: [{ messageId: a3.id }] })).body).toEqual({ applied: 0, recorded: 0, duplicates: 1, unmatched: 0 });
    expect((await messageOf(rooms.A, 'A3', 'invite')).status).toBe('bounced');
    expect((await events(a3.id)).map((e) => [e.type, e.data.reason])).toEqual([['bounced', '5.1.1 mailbox unknown']]);
  });

  it("records Twilio's signed status callbacks: sent then delivered for one SMS, undelivered (failed) for the other", async () => {
    const [a5, a6] = ['+31612345005', '+31612345006'].map((to) => twilioApi.messages.find((m) => m.to === to)!);
    expect(await twilioApi.deliverStatus(a5, 'sent')).toBe(204);
    expect(await twilioApi.deliverStatus(a5, 'delivered')).toBe(204);
    expect(await twilioApi.deliverStatus(a6, 'undelivered', { ErrorCode: '30003' })).toBe(204);
    const m5 = await messageOf(rooms.A, 'A5', 'invite');
    const m6 = await messageOf(rooms.A, 'A6', 'invite');
    expect([m5.status, m6.status]).toEqual(['delivered', 'failed']);
    expect((await events(m5.id)).map((e) => e.type)).toEqual(['sent', 'delivered']);
    expect((await events(m6.id)).map((e) => e.type)).toEqual(['failed']);
  });

  it('records when an appointment was first booked, and keeps it through a re-booking and a re-import', async () => {
    await appointment(rooms.A, 'APP-A1', 'VA1');
    // A2 books, but as if a month after the invitation: the invitation is moved back 31 days (a run
    // cannot send in the past by the wall clock, and conversions are judged by when things happened).
    const a2 = await messageOf(rooms.A, 'A2', 'invite');
    await t.ownerQuery(`UPDATE messages SET sent_at = sent_at - interval '31 days' WHERE id = $1`, [a2.id]);
    await appointment(rooms.A, 'APP-A2', 'VA2');
    const first = await bookedAt(rooms.A, 'APP-A1');
    expect(first).toBeInstanceOf(Date);
    await appointment(rooms.A, 'APP-A1', 'VA1');
    const imported = await t.http().post(`/api/dealers/${rooms.A.id}/imports?type=appointments`).set(rooms.A.api)
      .send([{ externalId: 'APP-A1', vehicleExternalId: 'VA1', type: 'inspection', startsAt: `${day(40)}T09:00:00Z`, status: 'booked' }]);
    expect(imported.status).toBeLessThan(300);
    expect(await bookedAt(rooms.A, 'APP-A1')).toEqual(first);
    // First recorded as done (history from the DMS): never seen booked, so no conversion.
    await ok(
      t.http().put(`/api/dealers/${rooms.A.id}/appointments/OLD-A3`).set(rooms.A.api).send({ vehicleExternalId: 'VA3', type: 'inspection', startsAt: `${day(-90)}T09:00:00Z`, status: 'done' }),
      'old',
    );
    const [old] = await t.ownerQuery<{ booked_at: Date | null }>(`SELECT booked_at FROM appointments WHERE dealer_id = $1 AND external_id = 'OLD-A3'`, [rooms.A.id]);
    expect(old.booked_at).toBeNull();
    const [late] = await t.ownerQuery<{ days: number }>(
      `SELECT extract(epoch FROM a.booked_at - m.sent_at) / 86400 AS days FROM appointments a, messages m WHERE a.dealer_id = $1 AND a.external_id = 'APP-A2' AND m.id = $2`,
      [rooms.A.id, a2.id],
    );
    expect(Number(late.days)).toBeGreaterThan(30);
  });

  it('puts the phone-only customers on the call list and records each call outcome as an event on the entry', async () => {
    for (const key of ['B', 'C'] as const) await run(rooms[key], WEEK2);
    for (const key of ['B', 'C', 'D'] as const) await run(rooms[key], WEEK3);
    await run(rooms.A, WEEK3);
    await run(rooms.A, WEEK5);
    const list = await ok(t.http().get(`/api/dealers/${rooms.A.id}/call-lists?date=${WEEK5}`).set(bearer(rooms.A.token)), 'call list');
    const entries = new Map<string, string>(list.items.map((e: { customerExternalId: string; entryId: string }) => [e.customerExternalId, e.entryId]));
    expect([...entries.keys()].sort()).toEqual(['A5', 'A6']);
    const outcome = (customer: string, body: object) =>
      ok(t.http().post(`/api/dealers/${rooms.A.id}/call-list-entries/${entries.get(customer)}/outcome`).set(bearer(rooms.A.token)).send(body), `outcome ${customer}`);
    await outcome('A6', { outcome: 'no-answer' });
    await outcome('A5', { outcome: 'appointment', appointmentStartsAt: `${day(35)}T10:00:00Z` });
    expect((await events(entries.get('A5')!)).map((e) => [e.type, e.data.outcome])).toEqual([['call-outcome', 'appointment']]);
    expect((await events(entries.get('A6')!)).map((e) => [e.type, e.data.outcome])).toEqual([['call-outcome', 'no-answer']]);
    const statuses = await t.ownerQuery<{ id: string; status: string }>('SELECT id, status FROM messages WHERE id = ANY($1::uuid[])', [[...entries.values()]]);
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toEqual({ [entries.get('A5')!]: 'delivered', [entries.get('A6')!]: 'sent' });
  });

  it("answers the dealer's figures by week, service and channel as they happened, with budget against spend", async () => {
    const res = await dealerReport(rooms.A);
    expect(res.status).toBe(200);
    const all = await messages(rooms.A);
    // The dealer's cost of the messages of a row that went out, as planning recorded it on each.
    const cost = (channel: string, week: string) =>
      all.filter((m) => m.went_out && m.channel === channel && m.send_on >= week && m.send_on < addDays(week, 7)).reduce((s, m) => s + (m.dealer_cost_cents ?? 0), 0);
    expect(cost('email', WEEK1)).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ dealerId: rooms.A.id, from: WEEK1, to: day(29) });
    expect(res.body.rows).toEqual([
      { week: WEEK1, serviceKey: 'inspection-reminder', channel: 'email', sent: 3, delivered: 2, opened: 2, clicked: 1, bounced: 1, failed: 1, appointments: 1, costCents: cost('email', WEEK1) },
      { week: WEEK1, serviceKey: 'inspection-reminder', channel: 'sms', sent: 2, delivered: 1, opened: 0, clicked: 0, bounced: 0, failed: 1, appointments: 0, costCents: cost('sms', WEEK1) },
      { week: WEEK5, serviceKey: 'inspection-reminder', channel: 'call-list', sent: 2, delivered: 1, opened: 0, clicked: 0, bounced: 0, failed: 0, appointments: 1, costCents: cost('call-list', WEEK5) },
    ]);
    const sum = (field: string) => res.body.rows.reduce((s: number, r: Record<string, number>) => s + r[field], 0);
    expect(res.body.totals).toEqual(Object.fromEntries(FIGURE_FIELDS.map((f) => [f, sum(f)])));
    expect(res.body.totals.appointments).toBe(2);
    const [{ spent }] = await t.ownerQuery<{ spent: number }>(
      `SELECT coalesce(sum(dealer_cost_cents), 0)::int AS spent FROM messages WHERE dealer_id = $1 AND service_key = 'inspection-reminder'
          AND send_on >= '2026-12-01' AND send_on < '2027-01-01' AND status NOT IN ('held', 'failed')`,
      [rooms.A.id],
    );
    expect(res.body.budget).toEqual([{ serviceKey: 'inspection-reminder', monthlyBudgetCents: 50_000, spentCents: spent, month: '2026-12' }]);
    const november = await dealerReport(rooms.A, `from=${WEEK1}&to=${day(27)}`);
    expect(november.body.budget[0]).toMatchObject({ month: '2026-11', spentCents: expect.any(Number) });
    expect(november.body.budget[0].spentCents).toBeGreaterThan(0);
    expect(november.body.rows.map((r: { week: string }) => r.week)).toEqual([WEEK1, WEEK1]);
  });

  it('attributes a booking to the latest message before it, no longer counts it once cancelled, and still counts it once done', async () => {
    // B1 got the week 1 invitation and the week 3 reminder; booked after both, the reminder converts.
    await appointment(rooms.B, 'APP-B1', 'VB1');
    const rows = (await dealerReport(rooms.B)).body.rows as { week: string; appointments: number }[];
    const byWeek = Object.fromEntries(rows.map((r) => [r.week, r.appointments]));
    const b1 = (await messages(rooms.B)).filter((m) => m.customer === 'B1').map((m) => m.send_on);
    expect(b1).toEqual([WEEK1, WEEK3]);
    expect(byWeek).toEqual({ [WEEK1]: 0, [WEEK2]: 0, [WEEK3]: 1 });
    // Cancelled: it no longer counts.
    await ok(
      t.http().put(`/api/dealers/${rooms.B.id}/appointments/APP-B1`).set(rooms.B.api).send({ vehicleExternalId: 'VB1', type: 'inspection', startsAt: `${day(40)}T09:00:00Z`, status: 'cancelled' }),
      'cancel',
    );
    expect((await dealerReport(rooms.B)).body.totals.appointments).toBe(0);
    // Done: still the same booking, still A1's conversion.
    const first = await bookedAt(rooms.A, 'APP-A1');
    await ok(
      t.http().put(`/api/dealers/${rooms.A.id}/appointments/APP-A1`).set(rooms.A.api).send({ vehicleExternalId: 'VA1', type: 'inspection', startsAt: `${day(40)}T09:00:00Z`, status: 'done' }),
      'done',
    );
    expect(await bookedAt(rooms.A, 'APP-A1')).toEqual(first);
    expect((await dealerReport(rooms.A)).body.totals.appointments).toBe(2);
  });

  it('answers CSV of the rows (Accept or ?format=csv) that parses back to the same rows', async () => {
    const json = (await dealerReport(rooms.A)).body;
    for (const res of [await dealerReport(rooms.A, `from=${WEEK1}&to=${day(29)}&format=csv`), await dealerReport(rooms.A).set('Accept', 'text/csv')]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="report-2026-11-02-2026-12-01\.csv"$/);
      expect(res.text.split('\r\n')[0]).toBe(['week', 'serviceKey', 'channel', ...FIGURE_FIELDS].join(','));
      const parsed = parse(res.text, { columns: true, cast: (value: string, context: { column: string | number }) => (FIGURE_FIELDS.includes(String(context.column)) ? Number(value) : value) });
      expect(parsed).toEqual(json.rows);
    }
  });

  it('checks from and to, naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['from=2026-11-10&to=2026-11-09', 'from'],
      ['from=2023-01-01&to=2026-11-09', 'to'],
      ['format=xml', 'format'],
    ]) {
      const res = await dealerReport(rooms.A, query);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    const defaults = await dealerReport(rooms.A, '');
    expect(defaults.status).toBe(200);
    expect(defaults.body.to).toBe(new Date().toISOString().slice(0, 10));
  });

  it("keeps a dealer's report to its own people, keys and the network admin", async () => {
    expect((await dealerReport(rooms.A, undefined, bearer(net.dealerA.userToken))).status).toBe(200);
    expect((await dealerReport(rooms.A, undefined, rooms.A.api)).status).toBe(200);
    expect((await dealerReport(rooms.A, undefined, bearer(net.adminToken))).status).toBe(200);
    expect((await dealerReport(rooms.A, undefined, bearer(rooms.B.token))).status).toBe(404);
    expect((await dealerReport(rooms.A, undefined, rooms.B.api)).status).toBe(404);
    expect((await dealerReport(rooms.A, undefined, bearer(net.brandAdminToken))).status).toBe(403);
    expect((await t.http().get(`/api/dealers/00000000-0000-4000-8000-000000000000/reports`).set(bearer(net.adminToken))).status).toBe(404);
  });

  it('sums the brand over its dealers by whole weeks, showing only groups of at least 5 customers and 3 dealers', async () => {
    const res = await brandReport(net.brands[0].id, `from=${day(2)}&to=${day(29)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ brandId: net.brands[0].id, from: WEEK1, to: day(34), dealers: 4 });
    const key = (r: { week: string; channel: string }) => `${r.week} ${r.channel}`;
    const rows = Object.fromEntries(res.body.rows.map((r: { week: string; channel: string }) => [key(r), r]));
    expect(Object.keys(rows).sort()).toEqual([`${WEEK1} email`, `${WEEK1} sms`, `${WEEK2} email`, `${WEEK3} email`, `${WEEK5} call-list`].sort());
    const a = (await dealerReport(rooms.A)).body.rows.find((r: { week: string; channel: string }) => key(r) === `${WEEK1} email`);
    const b = (await dealerReport(rooms.B)).body.rows.find((r: { week: string; channel: string }) => key(r) === `${WEEK1} email`);
    const c = (await dealerReport(rooms.C)).body.rows.find((r: { week: string; channel: string }) => key(r) === `${WEEK1} email`);
    // Week 1 email: A's four customers, B's and C's one each.
    expect(rows[`${WEEK1} email`]).toEqual({
      week: WEEK1,
      serviceKey: 'inspection-reminder',
      channel: 'email',
      dealers: 3,
      suppressed: false,
      ...Object.fromEntries(FIGURE_FIELDS.map((f) => [f, a[f] + b[f] + c[f]])),
    });
    expect(rows[`${WEEK1} email`].sent).toBe(5);
    const hidden = { dealers: null, suppressed: true, ...Object.fromEntries(FIGURE_FIELDS.map((f) => [f, null])) };
    expect(rows[`${WEEK1} sms`]).toMatchObject(hidden); // one dealer
    expect(rows[`${WEEK2} email`]).toMatchObject(hidden); // six customers, two dealers
    expect(rows[`${WEEK3} email`]).toMatchObject(hidden); // three dealers, three customers
    expect(rows[`${WEEK5} call-list`]).toMatchObject(hidden);
    // The totals are the rows shown: nothing hidden comes back by subtraction.
    expect(res.body.totals).toEqual({ suppressed: false, ...Object.fromEntries(FIGURE_FIELDS.map((f) => [f, rows[`${WEEK1} email`][f]])) });
  });

  it('suppresses every figure and the totals when the groups are small', async () => {
    const res = await brandReport(net.brands[0].id, `from=${WEEK2}&to=${WEEK3}`);
    expect(res.status).toBe(200);
    expect(res.body.rows.length).toBeGreaterThan(0);
    expect(res.body.rows.every((r: { suppressed: boolean; sent: number | null }) => r.suppressed && r.sent === null)).toBe(true);
    expect(res.body.totals).toEqual({ suppressed: true, ...Object.fromEntries(FIGURE_FIELDS.map((f) => [f, null])) });
    const other = await brandReport(net.brands[1].id, undefined, bearer(net.adminToken));
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ dealers: 1, rows: [], totals: { suppressed: true, sent: null } });
  });

  it('never puts a customer’s name, email, phone or plate in the brand report, JSON or CSV', async () => {
    const json = await brandReport();
    const csv = await brandReport(undefined, `from=${WEEK1}&to=${day(29)}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; /);
    const values = allCustomers().flatMap((c) => [c.firstName, c.lastName, c.email, c.phone, c.plate, c.plate.replace(/-/g, '')]);
    values.push('Anna', 'Room dealer-a', 'anna@dealer-a.test', 'AB-12-CD', 'AB12CD');
    for (const body of [json.text, csv.text]) {
      for (const value of values.filter((v): v is string => !!v)) expect(body).not.toContain(value);
    }
    const parsed = parse(csv.text, {
      columns: true,
      cast: (value: string, context: { column: string | number }) =>
        context.column === 'suppressed' ? value === 'true' : [...FIGURE_FIELDS, 'dealers'].includes(String(context.column)) ? (value === '' ? null : Number(value)) : value,
    });
    expect(parsed).toEqual(json.body.rows);
  });

  it('keeps the brand report to the brand’s admins and network admins', async () => {
    expect((await brandReport(undefined, undefined, bearer(net.adminToken))).status).toBe(200);
    expect((await brandReport(net.brands[1].id)).status).toBe(404);
    for (const as of [bearer(rooms.A.token), bearer(net.dealerA.userToken), rooms.A.api]) expect((await brandReport(undefined, undefined, as)).status).toBe(403);
  });
});
