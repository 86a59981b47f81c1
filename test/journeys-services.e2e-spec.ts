import { addDays } from '@forecourt/sdk';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The journeys of the services besides the APK reminder (that one has its own file), each on
 * simulated days of its own, delivered to a real SMTP server (SMS in sandbox: no Twilio settings).
 */
describe('service journeys', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  const savedSmtp = process.env.SMTP_URL;

  const put = async (path: string, body: object) => {
    const res = await t.http().put(`/api/dealers/${net.dealerA.id}${path}`).set('X-Api-Key', net.dealerA.apiKey).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const optIn = async (customer: string) => {
    const res = await t.http().post(`/api/dealers/${net.dealerA.id}/customers/${customer}/consents`).set('X-Api-Key', net.dealerA.apiKey)
      .send({ channel: 'all', purpose: 'marketing', granted: true, source: 'showroom-form', at: '2025-01-01T10:00:00Z' });
    if (res.status >= 300) throw new Error(`consent: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const enable = async (service: string, settings?: object) => {
    const res = await t.http().put(`/api/dealers/${net.dealerA.id}/services/${service}`).set(bearer(net.dealerA.adminToken)).send({ enabled: true, settings });
    if (res.status !== 200) throw new Error(`enable ${service}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const run = async (asOf: string) => {
    const res = await t.http().post('/api/runs').set(bearer(net.dealerA.adminToken)).send({ asOf, wait: true });
    if (res.status !== 200) throw new Error(`run ${asOf}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  /** "day step channel status" of a customer's messages, in order. */
  const journey = async (customer: string, day0: string) =>
    (
      await t.ownerQuery<{ send_on: string; step: string; channel: string; status: string }>(
        `SELECT m.send_on::text, m.step, m.channel, m.status FROM messages m JOIN customers c ON c.id = m.customer_id
          WHERE c.dealer_id = $1 AND c.external_id = $2 ORDER BY m.send_on, m.created_at`,
        [net.dealerA.id, customer],
      )
    ).map((m) => `+${Math.round((Date.parse(m.send_on) - Date.parse(day0)) / 86_400_000)} ${m.step} ${m.channel} ${m.status}`);
  const skipReasons = async (customer: string) =>
    (await t.ownerQuery<{ reason: string }>(`SELECT s.reason FROM skips s JOIN customers c ON c.id = s.customer_id WHERE c.external_id = $1`, [customer])).map(
      (s) => s.reason,
    );
  const mailTo = (address: string) => smtp.received.filter((r) => r.to.includes(address));

  beforeAll(async () => {
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    if (savedSmtp === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedSmtp;
  });

  it('maintenance reminder: invitation, email reminder, and the SMS the day before the booked service', async () => {
    const D = '2026-02-02';
    await put('/customers/MAINT', { kind: 'person', firstName: 'Mila', lastName: 'Kok', email: 'maint@services.test', phone: '+31612340001' });
    await put('/vehicles/MAINTV', { customerExternalId: 'MAINT', brandId: net.brands[0].id, licensePlate: 'MA-IN-01', nextServiceDate: addDays(D, 28) });
    await enable('maintenance-reminder');
    await run(D);
    await run(addDays(D, 14));
    await put('/appointments/MAINTA', { vehicleExternalId: 'MAINTV', type: 'service', startsAt: `${addDays(D, 25)}T09:00:00+01:00`, status: 'booked' });
    await run(addDays(D, 20));
    await run(addDays(D, 24));
    await run(addDays(D, 24));
    expect(await journey('MAINT', D)).toEqual(['+0 invite email sent', '+14 reminder email sent', '+24 appointment-sms sms sent']);
    expect(mailTo('maint@services.test')).toHaveLength(2);
  });

  it('warranty offer: only with a marketing opt-in, with a reminder', async () => {
    const D = '2026-03-02';
    for (const customer of ['WARRANTY', 'WARRANTY-NO']) {
      await put(`/customers/${customer}`, { kind: 'person', firstName: 'Wim', lastName: customer, email: `${customer.toLowerCase()}@services.test` });
      await put(`/vehicles/${customer}V`, { customerExternalId: customer, brandId: net.brands[0].id, licensePlate: `${customer}-1`, warrantyEndDate: addDays(D, 60) });
    }
    await optIn('WARRANTY');
    await enable('warranty-offer');
    await run(D);
    await run(addDays(D, 21));
    expect(await journey('WARRANTY', D)).toEqual(['+0 offer email sent', '+21 reminder email sent']);
    expect(await journey('WARRANTY-NO', D)).toEqual([]);
    expect(await skipReasons('WARRANTY-NO')).toContain('no-consent');
  });

  it('birthday greeting: on the day, once a year, only with a marketing opt-in', async () => {
    const D = '2026-04-15';
    await put('/customers/BDAY', { kind: 'person', firstName: 'Jip', lastName: 'Dekker', email: 'bday@services.test', birthDate: '1985-04-15' });
    await put('/customers/BDAY-NO', { kind: 'person', firstName: 'Janneke', lastName: 'Dekker', email: 'bday-no@services.test', birthDate: '1985-04-15' });
    await optIn('BDAY');
    await enable('birthday-greeting');
    await run(addDays(D, -1));
    await run(D);
    await run(D);
    await run(addDays(D, 1));
    expect(await journey('BDAY', D)).toEqual(['+0 greeting email sent']);
    expect(await journey('BDAY-NO', D)).toEqual([]);
  });

  it('post-visit: a satisfaction email two days after an appointment was done', async () => {
    const D = '2026-05-20';
    await put('/customers/VISIT', { kind: 'person', firstName: 'Sara', lastName: 'Peters', email: 'visit@services.test' });
    await put('/vehicles/VISITV', { customerExternalId: 'VISIT', brandId: net.brands[0].id, licensePlate: 'VI-SI-01' });
    await put('/appointments/VISITA', { vehicleExternalId: 'VISITV', type: 'service', startsAt: `${addDays(D, -2)}T09:00:00+02:00`, status: 'done' });
    await enable('post-visit');
    await run(addDays(D, -1));
    await run(D);
    await run(addDays(D, 1));
    expect(await journey('VISIT', D)).toEqual(['+0 satisfaction email sent']);
  });

  it('win-back: a customer away longer than the set months, with a reminder', async () => {
    const D = '2026-06-01';
    await put('/customers/AWAY', { kind: 'person', firstName: 'Ruben', lastName: 'Hendriks', email: 'away@services.test' });
    await put('/vehicles/AWAYV', { customerExternalId: 'AWAY', brandId: net.brands[0].id, licensePlate: 'AW-AY-01' });
    await put('/appointments/AWAY1', { vehicleExternalId: 'AWAYV', type: 'service', startsAt: '2024-10-01T09:00:00+02:00', status: 'done' });
    await optIn('AWAY');
    await enable('win-back', { useOwnInterval: false });
    await run(D);
    await run(addDays(D, 21));
    expect(await journey('AWAY', D)).toEqual(['+0 invite email sent', '+21 reminder email sent']);
  });

  it('welcome: a new customer is welcomed once, within the set days', async () => {
    const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
    await put('/customers/NEW', { kind: 'person', firstName: 'Fenna', lastName: 'Brouwer', email: 'new@services.test' });
    await enable('welcome');
    await run(tomorrow);
    await run(tomorrow);
    expect(await journey('NEW', tomorrow)).toEqual(['+0 welcome email sent']);
    expect(mailTo('new@services.test')).toHaveLength(1);
  });
});
