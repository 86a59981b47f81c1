import { Client } from 'pg';
import { addDays } from '@forecourt/sdk';
import { DealerDayPlanner } from '../apps/host/src/campaigns/planning/dealer-day.planner';
import { localDay, zonedInstant } from '../apps/host/src/campaigns/policies/send-window';
import { RunsService } from '../apps/host/src/campaigns/runs/runs.service';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Each policy against a case where it changes the outcome: without the policy these tests fail.
 * Dealer A (Amsterdam) and dealer B (Berlin); each test uses its own customers and dates.
 */
describe('campaign policies: budget, frequency cap, quiet hours, bundling', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  const savedSmtp = process.env.SMTP_URL;

  const dealer = (which: 'A' | 'B') => (which === 'A' ? net.dealerA : net.dealerB);
  const put = async (which: 'A' | 'B', path: string, body: object) => {
    const d = dealer(which);
    const res = await t.http().put(`/api/dealers/${d.id}${path}`).set('X-Api-Key', d.apiKey).send(body);
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const consent = async (which: 'A' | 'B', customer: string, body: object) => {
    const d = dealer(which);
    const res = await t.http().post(`/api/dealers/${d.id}/customers/${customer}/consents`).set('X-Api-Key', d.apiKey).send({ source: 'dms-import', ...body });
    if (res.status >= 300) throw new Error(`consent: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const enable = async (which: 'A' | 'B', service: string, body: object = {}) => {
    const d = dealer(which);
    const res = await t.http().put(`/api/dealers/${d.id}/services/${service}`).set(bearer(d.adminToken)).send({ enabled: true, ...body });
    if (res.status !== 200) throw new Error(`enable ${service}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const run = async (which: 'A' | 'B', asOf: string, extra: object = {}) => {
    const d = dealer(which);
    const res = await t.http().post('/api/runs').set(bearer(d.adminToken)).send({ asOf, wait: true, ...extra });
    if (res.status !== 200) throw new Error(`run ${asOf}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const messagesOf = (customers: string[]) =>
    t.ownerQuery<{ customer: string; service_key: string; status: string; status_reason: string | null; send_on: string; vehicles: string[]; dealer_cost_cents: number; next_attempt_at: Date; channel: string }>(
      `SELECT c.external_id AS customer, m.service_key, m.status, m.status_reason, m.send_on::text, m.dealer_cost_cents, m.next_attempt_at, m.channel,
              ARRAY(SELECT v.external_id FROM vehicles v WHERE v.id = ANY(m.vehicle_ids) ORDER BY v.external_id) AS vehicles
         FROM messages m JOIN customers c ON c.id = m.customer_id
        WHERE c.external_id = ANY($1::text[]) ORDER BY m.send_on, c.external_id, m.service_key`,
      [customers],
    );
  const skipsOf = (customer: string) =>
    t.ownerQuery<{ reason: string; service_key: string }>(
      `SELECT s.reason, s.service_key FROM skips s JOIN customers c ON c.id = s.customer_id WHERE c.external_id = $1`,
      [customer],
    );

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

  describe('the monthly budget', () => {
    const DAY = '2026-05-04';

    beforeAll(async () => {
      for (const n of [1, 2, 3]) {
        await put('A', `/customers/BUDGET${n}`, { kind: 'person', firstName: 'Budget', lastName: `Case ${n}`, email: `budget${n}@policies.test` });
        await put('A', `/vehicles/BUDGETV${n}`, { customerExternalId: `BUDGET${n}`, brandId: net.brands[0].id, licensePlate: `BU-0${n}-DG`, inspectionDueDate: addDays(DAY, 38 + n) });
      }
      // An email costs 5 cents: two fit in 12, the third does not.
      await enable('A', 'inspection-reminder', { monthlyBudgetCents: 12 });
    });

    it('shows the cost in a dry run and writes nothing', async () => {
      const dry = await run('A', DAY, { dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, messages: { total: 2, byChannel: { email: 2 } }, costCents: 10, held: 1 });
      expect(await messagesOf(['BUDGET1', 'BUDGET2', 'BUDGET3'])).toEqual([]);
    });

    it('never spends more than the budget: what does not fit is held and reported', async () => {
      const day = await run('A', DAY);
      expect(day).toMatchObject({ messages: { total: 2 }, costCents: 10, held: 1, skipped: { budget: 1 } });
      const rows = await messagesOf(['BUDGET1', 'BUDGET2', 'BUDGET3']);
      expect(rows.map((r) => r.status).sort()).toEqual(['held', 'sent', 'sent']);
      expect(rows.find((r) => r.status === 'held')).toMatchObject({ status_reason: 'budget' });
      expect(smtp.received.filter((r) => r.to.some((to) => to.startsWith('budget'))).length).toBe(2);
      const [{ spent }] = await t.ownerQuery<{ spent: number }>(
        `SELECT sum(dealer_cost_cents)::int AS spent FROM messages WHERE dealer_id = $1 AND service_key = 'inspection-reminder' AND status <> 'held' AND date_trunc('month', send_on) = date_trunc('month', $2::date)`,
        [net.dealerA.id, DAY],
      );
      expect(spent).toBe(10);
    });

    it('sends the held message once the budget allows it', async () => {
      await enable('A', 'inspection-reminder', { monthlyBudgetCents: 20 });
      await run('A', addDays(DAY, 1));
      const rows = await messagesOf(['BUDGET1', 'BUDGET2', 'BUDGET3']);
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
      expect(smtp.received.filter((r) => r.to.some((to) => to.startsWith('budget'))).length).toBe(3);
    });
  });

  describe('the frequency cap, counted across dealers', () => {
    const DAY = '2026-09-07';

    beforeAll(async () => {
      // At dealer A, one person gets three messages on one day: maintenance, warranty offer, birthday.
      for (const [customer, email] of [['CAP', 'cap@policies.test']]) {
        await put('A', `/customers/${customer}`, { kind: 'person', firstName: 'Cap', lastName: 'Case', email, birthDate: `1980-${DAY.slice(5)}` });
        await put('A', `/vehicles/${customer}V`, {
          customerExternalId: customer,
          brandId: net.brands[0].id,
          licensePlate: `${customer}-1`,
          nextServiceDate: addDays(DAY, 10),
          warrantyEndDate: addDays(DAY, 30),
        });
        await consent('A', customer, { channel: 'all', purpose: 'marketing', granted: true, at: '2026-01-01T10:00:00Z' });
      }
      // Dealer B knows the first email too (its own record, in its own room); the other one only B knows.
      await put('B', '/customers/CAP-B', { kind: 'person', firstName: 'Cap', lastName: 'Case', email: 'CAP@policies.test' });
      await put('B', '/customers/FREE-B', { kind: 'person', firstName: 'Free', lastName: 'Case', email: 'free@policies.test' });
      for (const customer of ['CAP-B', 'FREE-B']) {
        await put('B', `/vehicles/${customer}V`, { customerExternalId: customer, brandId: net.brands[0].id, licensePlate: `${customer}-1`, inspectionDueDate: addDays(DAY, 43) });
      }
      for (const service of ['maintenance-reminder', 'warranty-offer', 'birthday-greeting']) await enable('A', service);
      await enable('B', 'inspection-reminder');
    });

    it("skips a fourth message within the period, even when another dealer's would be the fourth", async () => {
      await run('A', DAY);
      const atA = await messagesOf(['CAP']);
      expect(atA.map((m) => m.service_key).sort()).toEqual(['birthday-greeting', 'maintenance-reminder', 'warranty-offer']);
      const atB = await run('B', addDays(DAY, 1));
      expect(atB.skipped['frequency-cap']).toBe(1);
      expect(await messagesOf(['CAP-B'])).toEqual([]);
      expect((await skipsOf('CAP-B')).map((s) => s.reason)).toEqual(['frequency-cap']);
      // The control: the same day, a customer without earlier messages gets hers.
      expect((await messagesOf(['FREE-B'])).map((m) => m.service_key)).toEqual(['inspection-reminder']);
    });

    it('lets the message through once the period is over', async () => {
      await run('B', addDays(DAY, 8));
      expect((await messagesOf(['CAP-B'])).map((m) => m.send_on)).toEqual([addDays(DAY, 8)]);
    });

    it("waits for a plan of another dealer that is counting the same address right now, then counts its messages", async () => {
      const RACE_DAY = '2026-10-05';
      await put('B', '/customers/RACE-B', { kind: 'person', firstName: 'Race', lastName: 'Case', email: 'race@policies.test' });
      await put('B', '/vehicles/RACE-BV', { customerExternalId: 'RACE-B', brandId: net.brands[0].id, licensePlate: 'RACE-B-1', inspectionDueDate: addDays(RACE_DAY, 42) });
      const hash = t.app.get(DealerDayPlanner).contactHash(
        { id: 'any', kind: 'person', firstName: 'Race', lastName: 'Case', companyName: null, email: 'race@policies.test', phone: null, postalCode: null },
        'email',
      );
      // Another dealer's plan, not committed yet, has just counted three messages to this address.
      const other = new Client({ connectionString: t.ownerUrl });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query('INSERT INTO contact_frequency (contact_hash, day, messages) VALUES ($1, $2, 3)', [hash, RACE_DAY]);
        let finished = false;
        const planB = run('B', RACE_DAY).finally(() => (finished = true));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(finished).toBe(false);
        await other.query('COMMIT');
        expect((await planB).skipped['frequency-cap']).toBe(1);
      } finally {
        await other.end();
      }
      expect(await messagesOf(['RACE-B'])).toEqual([]);
    });
  });

  describe('quiet hours and send windows in the dealer time zone', () => {
    // The send window is judged on the dealer's real today by the wall clock: plan "tomorrow" with a clock set to tomorrow.
    const TZ = 'Europe/Berlin';
    const DAY = addDays(localDay(new Date(), TZ), 1);
    let runId: string;

    beforeAll(async () => {
      for (const customer of ['LATE', 'DAYTIME']) {
        await put('B', `/customers/${customer}`, { kind: 'person', firstName: 'Quiet', lastName: customer, email: `${customer.toLowerCase()}@policies.test`, phone: '+491701234567' });
      }
      await put('B', '/vehicles/LATEV', { customerExternalId: 'LATE', brandId: net.brands[0].id, licensePlate: 'LA-TE-1', inspectionDueDate: addDays(DAY, 40) });
      await enable('B', 'inspection-reminder');
      [{ id: runId }] = await t.ownerQuery<{ id: string }>(
        `INSERT INTO runs (as_of, dealer_ids, dry_run, status, started_by) VALUES ($1, $2, false, 'running', 'test') RETURNING id`,
        [DAY, [net.dealerB.id]],
      );
    });

    it('holds an email planned at 22:30 local time until 08:00 the next morning', async () => {
      const [facts] = await t.app.get(RunsService).dealerFacts([net.dealerB.id]);
      const lateEvening = new Date(zonedInstant(DAY, 22, TZ).getTime() + 30 * 60_000);
      await t.app.get(DealerDayPlanner).plan(runId, facts, DAY, false, lateEvening);
      const [late] = await messagesOf(['LATE']);
      expect(late.next_attempt_at.toISOString()).toBe(zonedInstant(addDays(DAY, 1), 8, TZ).toISOString());
      expect(late.status).toBe('queued');
    });

    it('sends at once inside the window', async () => {
      await put('B', '/vehicles/DAYTIMEV', { customerExternalId: 'DAYTIME', brandId: net.brands[0].id, licensePlate: 'DA-YT-1', inspectionDueDate: addDays(DAY, 40) });
      const [facts] = await t.app.get(RunsService).dealerFacts([net.dealerB.id]);
      const before = Date.now();
      await t.app.get(DealerDayPlanner).plan(runId, facts, DAY, false, zonedInstant(DAY, 10, TZ));
      const [daytime] = await messagesOf(['DAYTIME']);
      expect(daytime.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now());
      expect(daytime.next_attempt_at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    });
  });

  describe('bundling occasions that fall due close together', () => {
    const DAY = '2026-07-06';

    beforeAll(async () => {
      for (const customer of ['BUNDLE', 'APART']) {
        await put('B', `/customers/${customer}`, { kind: 'person', firstName: 'Two', lastName: 'Cars', email: `${customer.toLowerCase()}@policies.test` });
      }
      const vehicle = (ext: string, customer: string, due: number) =>
        put('B', `/vehicles/${ext}`, { customerExternalId: customer, brandId: net.brands[0].id, licensePlate: `${ext}-1`, inspectionDueDate: addDays(DAY, due) });
      await vehicle('BUNDLE1', 'BUNDLE', 42);
      await vehicle('BUNDLE2', 'BUNDLE', 50); // 8 days later: joins the first message
      await vehicle('APART1', 'APART', 42);
      await vehicle('APART2', 'APART', 60); // 18 days later: its own message
      await enable('B', 'inspection-reminder');
    });

    it('sends one invitation for vehicles due within the bundling period, and nothing when the second falls due', async () => {
      for (let n = 0; n <= 18; n++) await run('B', addDays(DAY, n));
      const bundle = (await messagesOf(['BUNDLE'])).filter((m) => m.channel === 'email' && m.send_on <= addDays(DAY, 18));
      expect(bundle.map((m) => ({ on: m.send_on, vehicles: m.vehicles }))).toEqual([{ on: DAY, vehicles: ['BUNDLE1', 'BUNDLE2'] }, expect.objectContaining({ on: addDays(DAY, 14) })]);
      expect(bundle[1].vehicles).toEqual(['BUNDLE1', 'BUNDLE2']);
      const apart = (await messagesOf(['APART'])).filter((m) => m.send_on <= addDays(DAY, 18));
      expect(apart.map((m) => ({ on: m.send_on, vehicles: m.vehicles }))).toEqual([
        { on: DAY, vehicles: ['APART1'] },
        { on: addDays(DAY, 14), vehicles: ['APART1'] },
        { on: addDays(DAY, 18), vehicles: ['APART2'] },
      ]);
    });
  });
});
