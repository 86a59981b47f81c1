import { addDays } from '@forecourt/sdk';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The APK journey of one small dealer, run day by day over seven simulated weeks (a past stretch,
 * so consent statements can be dated before and during it): invitation by email, the letter
 * where email cannot be used (none, withdrawn, hard bounce), a fleet getting one message for its
 * vehicles, duplicate records getting one, the reminder, the call list, a booked appointment that
 * stops the reminders and brings the SMS the day before, and re-runs that send nothing new.
 */
const DAY0 = '2026-03-02';
const day = (n: number) => addDays(DAY0, n);

interface MessageView {
  customer: string;
  channel: string;
  step: string;
  status: string;
  send_on: string;
  vehicles: string[];
  recipient: { email?: string; phone?: string };
  data: { reason?: { service: string; step: string } };
}

describe('inspection reminder (APK): seven weeks of one dealer, day by day', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let dealerId: string;
  const savedSmtp = process.env.SMTP_URL;
  const summaries = new Map<string, { messages: { total: number; byChannel: Record<string, number> }; skipped: Record<string, number> }>();

  const api = () => ({ 'X-Api-Key': net.dealerA.apiKey });
  const put = async (path: string, body: object) => {
    const res = await t.http().put(`/api/dealers/${dealerId}${path}`).set(api()).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const consent = async (customer: string, body: object) => {
    const res = await t.http().post(`/api/dealers/${dealerId}/customers/${customer}/consents`).set(api()).send({ source: 'dms-import', ...body });
    if (res.status >= 300) throw new Error(`consent ${customer}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const run = async (asOf: string) => {
    const res = await t.http().post('/api/runs').set(bearer(net.dealerA.adminToken)).send({ asOf, wait: true });
    if (res.status !== 200) throw new Error(`run ${asOf}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const messages = () =>
    t.ownerQuery<MessageView>(
      `SELECT c.external_id AS customer, m.channel, m.step, m.status, m.send_on::text, m.recipient, m.data,
              ARRAY(SELECT v.external_id FROM vehicles v WHERE v.id = ANY(m.vehicle_ids) ORDER BY v.external_id) AS vehicles
         FROM messages m JOIN customers c ON c.id = m.customer_id
        WHERE m.dealer_id = $1 ORDER BY m.send_on, c.external_id, m.step`,
      [dealerId],
    );
  // D1 and D2 are one person: whichever record the message is filed under, it is one message.
  const on = (all: MessageView[], asOf: string) =>
    all.filter((m) => m.send_on === asOf).map((m) => `${m.customer.replace(/^D[12]$/, 'D*')} ${m.step} ${m.channel} ${m.status}`);

  beforeAll(async () => {
    smtp = await startSmtpServer({ reject: { 'bounce@journey.test': { code: 550, message: '5.1.1 mailbox unknown' } } });
    process.env.SMTP_URL = smtp.url;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    dealerId = net.dealerA.id;
    const brandId = net.brands[0].id;
    const address = (n: number) => ({ street: `Stationsweg ${n}`, postalCode: `35${10 + n} AB`, city: 'Utrecht', country: 'NL' });
    const vehicle = (ext: string, customer: string, dueIn: number) =>
      put(`/vehicles/${ext}`, { customerExternalId: customer, brandId, licensePlate: `${ext}-XX-1`, inspectionDueDate: day(dueIn) });

    // P1: email and phone, never books: invitation, reminder, call list.
    await put('/customers/P1', { kind: 'person', firstName: 'Noor', lastName: 'Visser', email: 'p1@journey.test', phone: '+31612345001' });
    await vehicle('VP1', 'P1', 42);
    // P2: no email: a letter.
    await put('/customers/P2', { kind: 'person', firstName: 'Bram', lastName: 'Smit', address: address(2) });
    await vehicle('VP2', 'P2', 42);
    // P3: withdrew email before the journey: a letter.
    await put('/customers/P3', { kind: 'person', firstName: 'Eva', lastName: 'Bos', email: 'p3@journey.test', address: address(3) });
    await vehicle('VP3', 'P3', 42);
    await consent('P3', { channel: 'email', purpose: 'all', granted: false, at: `${day(-20)}T10:00:00Z` });
    // P4: an address the mail server refuses for good: the letter the next day, and no more email.
    await put('/customers/P4', { kind: 'person', firstName: 'Sem', lastName: 'Mulder', email: 'bounce@journey.test', address: address(4) });
    await vehicle('VP4', 'P4', 42);
    // FLEET: three vehicles; F2 falls due ten days after F1 and joins its message; F3 is opted out entirely.
    await put('/customers/FLEET', { kind: 'company', companyName: 'Bakkerij Vos BV', email: 'fleet@journey.test', phone: '+31301234567', address: address(5) });
    await vehicle('F1', 'FLEET', 40);
    await vehicle('F2', 'FLEET', 50);
    await vehicle('F3', 'FLEET', 41);
    await consent('FLEET', { channel: 'all', purpose: 'all', vehicleExternalId: 'F3', granted: false, at: `${day(-30)}T10:00:00Z` });
    // D1 and D2: one person known twice (same email): one message for both vehicles.
    await put('/customers/D1', { kind: 'person', firstName: 'Lotte', lastName: 'Jansen', email: 'dup@journey.test' });
    await put('/customers/D2', { kind: 'person', firstName: 'L.', lastName: 'Jansen', email: 'DUP@journey.test' });
    await vehicle('VD1', 'D1', 42);
    await vehicle('VD2', 'D2', 42);
    // P5: books on day 7 for day 20: no reminder, no call, an SMS on day 19, nothing after the visit.
    await put('/customers/P5', { kind: 'person', firstName: 'Daan', lastName: 'de Boer', email: 'p5@journey.test', phone: '+31612345005' });
    await vehicle('VP5', 'P5', 42);

    const enabled = await t.http().put(`/api/dealers/${dealerId}/services/inspection-reminder`).set(bearer(net.dealerA.adminToken)).send({ enabled: true });
    if (enabled.status !== 200) throw new Error(`enable: ${enabled.status} ${JSON.stringify(enabled.body)}`);

    for (let n = 0; n < 49; n++) {
      if (n === 7) await put('/appointments/A5', { vehicleExternalId: 'VP5', type: 'inspection', startsAt: `${day(20)}T10:00:00+01:00`, status: 'booked' });
      if (n === 21) await put('/appointments/A5', { vehicleExternalId: 'VP5', type: 'inspection', startsAt: `${day(20)}T10:00:00+01:00`, status: 'done' });
      summaries.set(day(n), await run(day(n)));
    }
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    if (savedSmtp === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedSmtp;
  });

  it('invites on day 0: email where usable, a letter where not, one message per fleet and per duplicate person', async () => {
    const all = await messages();
    expect(on(all, day(0)).sort()).toEqual(
      [
        'D* invite email sent',
        'FLEET invite email sent',
        'P1 invite email sent',
        'P2 invite letter sent',
        'P3 invite letter sent',
        'P4 invite email failed',
        'P5 invite email sent',
      ].sort(),
    );
    const fleet = all.find((m) => m.customer === 'FLEET' && m.step === 'invite')!;
    expect(fleet.vehicles).toEqual(['F1', 'F2']);
    const dup = all.find((m) => /^D[12]$/.test(m.customer) && m.step === 'invite')!;
    expect(dup.vehicles).toEqual(['VD1', 'VD2']);
    expect(dup.data.reason).toMatchObject({ service: 'inspection-reminder', step: 'invite' });
    expect(summaries.get(day(0))!.skipped['no-consent']).toBeGreaterThanOrEqual(1);
  });

  it('sends the invitation emails to the real SMTP server once each, the fleet listing both its vehicles', async () => {
    const deliveries = smtp.deliveriesByAddress();
    expect(deliveries.get('p1@journey.test')).toBe(2); // invitation and reminder
    expect(deliveries.get('p5@journey.test')).toBe(1); // invitation only
    expect(deliveries.get('p3@journey.test')).toBeUndefined();
    expect(deliveries.get('bounce@journey.test')).toBeUndefined();
    const fleetMail = smtp.received.find((r) => r.to.includes('fleet@journey.test'))!;
    const parsed = await smtp.parse(fleetMail);
    // Plates are stored without dashes (F1XX1).
    expect(parsed.text).toContain('F1XX1');
    expect(parsed.text).toContain('F2XX1');
    expect(parsed.text).not.toContain('F3XX1');
    expect([...deliveries.values()].every((n) => n <= 2)).toBe(true);
  });

  it('falls back to a letter the day after a hard bounce, and never emails that address again', async () => {
    const all = await messages();
    expect(on(all, day(1))).toEqual(['P4 invite letter sent']);
    expect(all.filter((m) => m.customer === 'P4' && m.channel === 'email')).toHaveLength(1);
    const skips = await t.ownerQuery<{ reason: string }>(
      `SELECT s.reason FROM skips s JOIN customers c ON c.id = s.customer_id WHERE c.external_id = 'P4' AND s.step = 'reminder'`,
    );
    expect(skips.map((s) => s.reason)).toContain('email-bounced');
  });

  it('prints each day\'s letters into one file for the dealer', async () => {
    const res = await t.http().get(`/api/dealers/${dealerId}/letter-batches`).set(bearer(net.dealerA.adminToken)).expect(200);
    const byDate = (date: string) => res.body.items.filter((b: { date: string }) => b.date === date);
    expect(byDate(day(0))).toMatchObject([{ letters: 2 }]);
    expect(byDate(day(1))).toMatchObject([{ letters: 1 }]);
  });

  it('reminds by email on day 14 those who did not book, and not the one who did', async () => {
    const all = await messages();
    expect(on(all, day(14)).sort()).toEqual(['D* reminder email sent', 'FLEET reminder email sent', 'P1 reminder email sent'].sort());
    const skips = await t.ownerQuery<{ reason: string; step: string }>(
      `SELECT s.reason, s.step FROM skips s JOIN customers c ON c.id = s.customer_id WHERE c.external_id = 'P5'`,
    );
    expect(skips).toContainEqual({ step: 'reminder', reason: 'appointment-booked' });
  });

  it('sends the SMS the day before the booked appointment, and nothing once it is done', async () => {
    const all = await messages();
    const p5 = all.filter((m) => m.customer === 'P5').map((m) => `${m.send_on} ${m.step} ${m.channel}`);
    expect(p5).toEqual([`${day(0)} invite email`, `${day(19)} appointment-sms sms`]);
    const sms = all.find((m) => m.customer === 'P5' && m.channel === 'sms')!;
    expect(sms.status).toBe('sent');
    expect(sms.recipient.phone).toBe('+31612345005');
    // The text tells the appointment's time in the dealer's time zone.
    const [{ id: smsId }] = await t.ownerQuery<{ id: string }>(
      `SELECT m.id FROM messages m JOIN customers c ON c.id = m.customer_id WHERE c.external_id = 'P5' AND m.channel = 'sms'`,
    );
    const time = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' }).format(new Date(`${day(20)}T10:00:00+01:00`));
    const text = (await t.http().get(`/api/messages/${smsId}/content`).set(bearer(net.dealerA.adminToken)).expect(200)).text;
    expect(text).toContain(time);
    const [journey] = await t.ownerQuery<{ state: string; ended_reason: string }>(
      `SELECT j.state, j.ended_reason FROM journeys j JOIN customers c ON c.id = j.customer_id WHERE c.external_id = 'P5'`,
    );
    expect(journey).toEqual({ state: 'done', ended_reason: 'appointment-done' });
  });

  it("puts those still without an appointment on day 28's call list, with phone, vehicles and reason", async () => {
    const all = await messages();
    expect(on(all, day(28)).sort()).toEqual(['FLEET call call-list sent', 'P1 call call-list sent'].sort());
    const res = await t.http().get(`/api/dealers/${dealerId}/call-lists`).query({ date: day(28) }).set(bearer(net.dealerA.userToken)).expect(200);
    const entries = res.body.items as Record<string, unknown>[];
    expect(entries).toHaveLength(2);
    const p1 = entries.find((e) => e.phone === '+31612345001')!;
    expect(p1).toMatchObject({ customerExternalId: 'P1', vehicles: [{ externalId: 'VP1', inspectionDueDate: day(42) }] });
    expect(p1.reason).toMatch(/inspection/i);
  });

  it('sends nothing new when any day is run again', async () => {
    const before = { messages: (await messages()).length, smtp: smtp.received.length };
    for (const n of [0, 1, 14, 19, 28]) {
      const again = await run(day(n));
      expect(again.messages.total).toBe(0);
    }
    expect((await messages()).length).toBe(before.messages);
    expect(smtp.received.length).toBe(before.smtp);
  });

  it('sends nothing after week seven that the journey did not ask for', async () => {
    const all = await messages();
    const late = all.filter((m) => m.send_on > day(28));
    expect(late).toEqual([]);
  });
});
