import type { ServiceDefinition } from '@forecourt/sdk';
import { AppointmentFact, decideSteps, JourneyState } from '../apps/host/src/campaigns/flows/flow-steps';
import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { NewMessage } from '../apps/host/src/dispatch/message.types';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { PluginRegistry } from '../apps/host/src/plugin-host/plugin-registry.service';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The call list (CONTRACT.md): messages on the `call-list` channel, dispatched like any other,
 * are the dealer's list for their day; `GET /api/dealers/:dealerId/call-lists?date=` shows who to
 * call about which vehicles and why, and `POST …/call-list-entries/:entryId/outcome` records how
 * the call went, booking the appointment when one was made.
 */
describe('call lists: entries from the call-list channel, outcomes written back', () => {
  const DAY = '2027-01-10';
  const NEXT_DAY = '2027-01-11';
  let t: TestApp;
  let net: NetworkFixture;
  let worker: DispatchWorker;
  let seq = 0;
  /** Entry ids by name. */
  const entries: Record<string, string> = {};

  const room = (dealerId: string) => `/api/dealers/${dealerId}`;

  const idOf = async (table: 'customers' | 'vehicles', dealerId: string, externalId: string) =>
    (await t.ownerQuery<{ id: string }>(`SELECT id FROM ${table} WHERE dealer_id = $1 AND external_id = $2`, [dealerId, externalId]))[0].id;

  /** A call-list message as the inspection reminder's `call` step writes it. */
  const call = async (dealerId: string, customer: string, vehicles: string[], phone: string | undefined, sendOn = DAY): Promise<NewMessage> => ({
    dedupeKey: `call-list-test:${++seq}`,
    channel: 'call-list',
    template: 'inspection-reminder/call',
    locale: 'nl',
    recipient: { name: `Klant ${customer}`, ...(phone ? { phone } : {}), locale: 'nl' },
    customerId: await idOf('customers', dealerId, customer),
    vehicleIds: await Promise.all(vehicles.map((v) => idOf('vehicles', dealerId, v))),
    serviceKey: 'inspection-reminder',
    step: 'call',
    sendOn,
    data: { dueDate: '2027-01-15', vehicles: vehicles.map((v) => ({ plate: `PL-${v}`, inspectionDueDate: '2027-01-15' })) },
  });

  const enqueue = async (dealerId: string, messages: NewMessage[]) =>
    (await t.app.get(TenantDb).run(dealerId, (m) => t.app.get(OutboxService).enqueue(m, dealerId, messages))).map((e) => e.id);

  const put = async (headers: Record<string, string>, path: string, body: object) => {
    const res = await t.http().put(path).set(headers).send(body);
    if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };

  const outcome = (headers: Record<string, string>, dealerId: string, entryId: string, body: object) =>
    t.http().post(`${room(dealerId)}/call-list-entries/${entryId}/outcome`).set(headers).send(body);

  const list = (headers: Record<string, string>, dealerId: string, date = DAY) => t.http().get(`${room(dealerId)}/call-lists?date=${date}`).set(headers);

  const entryOnList = async (entryId: string) =>
    (await list(bearer(net.dealerA.adminToken), net.dealerA.id)).body.items.find((e: { entryId: string }) => e.entryId === entryId);

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    worker = t.app.get(DispatchWorker);
    worker.configure({ retryBaseMs: 200, pollMs: 100 });
    const a = { 'X-Api-Key': net.dealerA.apiKey };
    const b = { 'X-Api-Key': net.dealerB.apiKey };
    await put(a, `${room(net.dealerA.id)}/customers/C1`, { kind: 'person', firstName: 'Anna', lastName: 'Room dealer-a', email: 'anna@dealer-a.test', phone: '+31612345678' });
    await put(a, `${room(net.dealerA.id)}/customers/F1`, { kind: 'company', companyName: 'Vloot BV', phone: '+31301234567' });
    await put(a, `${room(net.dealerA.id)}/vehicles/V2`, { customerExternalId: 'F1', brandId: net.brands[0].id, licensePlate: 'GH-34-IJ', model: 'Bestelbus', inspectionDueDate: '2027-01-20' });
    await put(a, `${room(net.dealerA.id)}/vehicles/V3`, { customerExternalId: 'F1', brandId: net.brands[0].id, licensePlate: 'KL-56-MN', model: 'Kombi', inspectionDueDate: '2027-01-22' });
    await put(a, `${room(net.dealerA.id)}/customers/N1`, { kind: 'person', firstName: 'Nora', lastName: 'Zondernummer' });
    await put(a, `${room(net.dealerA.id)}/vehicles/V4`, { customerExternalId: 'N1', brandId: net.brands[0].id, licensePlate: 'OP-78-QR' });
    await put(b, `${room(net.dealerB.id)}/customers/C1`, { kind: 'person', firstName: 'Anna', lastName: 'Room dealer-b', email: 'anna@dealer-b.test', phone: '+4930123456789' });

    [entries.anna, entries.fleet, entries.noPhone, entries.nextDay] = await enqueue(net.dealerA.id, [
      await call(net.dealerA.id, 'C1', ['V1'], '+31612345678'),
      await call(net.dealerA.id, 'F1', ['V2', 'V3'], '+31301234567'),
      await call(net.dealerA.id, 'N1', ['V4'], undefined),
      await call(net.dealerA.id, 'C1', ['V1'], '+31612345678', NEXT_DAY),
    ]);
    [entries.b] = await enqueue(net.dealerB.id, [await call(net.dealerB.id, 'C1', ['V1'], '+4930123456789')]);
    expect((await worker.drain({ dealerIds: [net.dealerA.id, net.dealerB.id] })).remaining).toBe(0);
  }, 60_000);

  afterAll(() => t?.close());

  describe('the channel', () => {
    it('is the call-list plugin, direct (not batched): dispatch puts each message on the list as it comes', () => {
      const channel = t.app.get(PluginRegistry).channel('call-list');
      expect(channel).toMatchObject({ pluginId: 'channel-call-list', definition: { channel: 'call-list', reach: 'phone', consentChannel: 'phone' } });
      expect(channel!.definition.batched).toBeFalsy();
    });

    it('records each entry as sent, rendered from the call step template; one without a number fails with the reason', async () => {
      const rows = await t.ownerQuery<{ id: string; status: string; status_reason: string | null; send_on: string }>(
        `SELECT id, status, status_reason, send_on::text FROM messages WHERE id = ANY($1::uuid[])`,
        [Object.values(entries)],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const name of ['anna', 'fleet', 'nextDay', 'b']) expect(byId.get(entries[name])).toMatchObject({ status: 'sent', status_reason: null });
      expect(byId.get(entries.noPhone)).toMatchObject({ status: 'failed', status_reason: 'the customer has no phone number to call' });
      expect(byId.get(entries.nextDay)!.send_on).toBe(NEXT_DAY);
      const content = await t.http().get(`/api/messages/${entries.anna}/content`).set(bearer(net.dealerA.adminToken));
      expect(content.status).toBe(200);
      expect(content.text).toContain('PL-V1');
    });
  });

  describe('GET /api/dealers/:dealerId/call-lists?date=', () => {
    it("answers the dealer's list for the day, in the order it was made, then by name: customer, vehicles, reason and phone per entry", async () => {
      const res = await list(bearer(net.dealerA.adminToken), net.dealerA.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ date: DAY, total: 2, page: 1, pageSize: 50 });
      expect(res.body.items.map((e: { entryId: string }) => e.entryId)).toEqual([entries.anna, entries.fleet]);
      const [anna, fleet] = res.body.items;
      expect(anna).toMatchObject({
        entryId: entries.anna,
        status: 'sent',
        customerExternalId: 'C1',
        customerName: 'Anna Room dealer-a',
        phone: '+31612345678',
        vehicles: [{ externalId: 'V1', licensePlate: 'AB12CD', inspectionDueDate: '2027-01-15' }],
        serviceKey: 'inspection-reminder',
        step: 'call',
        dueDate: '2027-01-15',
        outcomes: [],
      });
      expect(anna.reason).toMatch(/^Inspection reminder.*: call, due 2027-01-15$/);
      expect(fleet).toMatchObject({
        customerExternalId: 'F1',
        customerName: 'Vloot BV',
        phone: '+31301234567',
        vehicles: [
          { externalId: 'V2', licensePlate: 'GH34IJ', model: 'Bestelbus', inspectionDueDate: '2027-01-20' },
          { externalId: 'V3', licensePlate: 'KL56MN', model: 'Kombi', inspectionDueDate: '2027-01-22' },
        ],
      });
    });

    it('lists each day on its own, for the dealer user and the API key as well', async () => {
      for (const headers of [bearer(net.dealerA.userToken), { 'X-Api-Key': net.dealerA.apiKey }]) {
        const res = await list(headers, net.dealerA.id, NEXT_DAY);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ date: NEXT_DAY, total: 1, items: [{ entryId: entries.nextDay, customerExternalId: 'C1' }] });
      }
      expect((await list(bearer(net.dealerA.adminToken), net.dealerA.id, '2027-01-12')).body).toMatchObject({ total: 0, items: [] });
    });

    it("keeps each dealer to its own list: B sees only its entry, A asking for B's list gets 404", async () => {
      const own = await list({ 'X-Api-Key': net.dealerB.apiKey }, net.dealerB.id);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ total: 1, items: [{ entryId: entries.b, customerName: 'Anna Room dealer-b', phone: '+4930123456789' }] });
      const other = await list(bearer(net.dealerA.adminToken), net.dealerB.id);
      expect(other.status).toBe(404);
      expect(other.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(other.body)).not.toContain('dealer-b.test');
    });

    it('refuses the brand admin and the network admin with a 403 problem: they never see a dealer\'s customers', async () => {
      for (const token of [net.brandAdminToken, net.adminToken]) {
        const res = await list(bearer(token), net.dealerA.id);
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.items).toBeUndefined();
      }
    });

    it('names the field of a bad date or page', async () => {
      for (const [query, field] of [
        ['date=2027-02-30', 'date'],
        ['date=10-01-2027', 'date'],
        ['date=2027-01-10&pageSize=5000', 'pageSize'],
      ]) {
        const res = await t.http().get(`${room(net.dealerA.id)}/call-lists?${query}`).set(bearer(net.dealerA.adminToken));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
      }
    });
  });

  describe('POST /api/dealers/:dealerId/call-list-entries/:entryId/outcome', () => {
    it('refuses bad outcomes with a 400 problem naming the field, and records nothing', async () => {
      const cases: [object, string][] = [
        [{}, 'outcome'],
        [{ outcome: 'maybe' }, 'outcome'],
        [{ outcome: 'appointment' }, 'appointmentStartsAt'],
        [{ outcome: 'appointment', appointmentStartsAt: '2027-01-14T09:30' }, 'appointmentStartsAt'],
        [{ outcome: 'appointment', appointmentStartsAt: 'tomorrow' }, 'appointmentStartsAt'],
        [{ outcome: 'no-answer', appointmentStartsAt: '2027-01-14T09:30:00+01:00' }, 'appointmentStartsAt'],
      ];
      for (const [body, field] of cases) {
        const res = await outcome(bearer(net.dealerA.adminToken), net.dealerA.id, entries.anna, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.errors).toEqual([expect.objectContaining({ field, message: expect.any(String) })]);
      }
      expect(await t.ownerQuery('SELECT * FROM call_outcomes')).toEqual([]);
    });

    it("answers 404 for an entry that does not exist, is another dealer's, or is not on the list", async () => {
      const ok = { outcome: 'no-answer' };
      for (const entryId of ['1b7a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', entries.b, entries.noPhone, 'not-an-id']) {
        const res = await outcome(bearer(net.dealerA.adminToken), net.dealerA.id, entryId, ok);
        expect({ entryId, status: res.status }).toEqual({ entryId, status: 404 });
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect((await outcome(bearer(net.dealerA.adminToken), net.dealerB.id, entries.b, ok)).status).toBe(404);
      expect((await outcome(bearer(net.brandAdminToken), net.dealerA.id, entries.anna, ok)).status).toBe(403);
      expect(await t.ownerQuery('SELECT * FROM call_outcomes')).toEqual([]);
    });

    it('records an outcome (a dealer user may), answers it, and shows it on the entry', async () => {
      const res = await outcome(bearer(net.dealerA.userToken), net.dealerA.id, entries.anna, { outcome: 'no-answer' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        entryId: entries.anna,
        id: expect.any(String),
        outcome: 'no-answer',
        recordedBy: expect.stringContaining('dealer-user@dealer-a.test'),
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        appointments: [],
      });
      expect((await entryOnList(entries.anna)).outcomes).toEqual([{ id: res.body.id, outcome: 'no-answer', recordedBy: res.body.recordedBy, at: res.body.at }]);
      expect(await t.ownerQuery('SELECT dealer_id, message_id, outcome FROM call_outcomes')).toEqual([
        { dealer_id: net.dealerA.id, message_id: entries.anna, outcome: 'no-answer' },
      ]);
    });

    it('books the appointment an appointment outcome names, one per vehicle of the entry, which is what stops the reminders', async () => {
      const before = await t.http().get(`${room(net.dealerA.id)}/appointments`).set(bearer(net.dealerA.adminToken));
      expect(before.body.total).toBe(0);
      const res = await outcome(bearer(net.dealerA.adminToken), net.dealerA.id, entries.fleet, { outcome: 'appointment', appointmentStartsAt: '2027-01-14T09:30:00+01:00' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ entryId: entries.fleet, outcome: 'appointment', appointmentStartsAt: '2027-01-14T08:30:00.000Z' });
      expect(res.body.appointments.map((a: { vehicleExternalId: string }) => a.vehicleExternalId)).toEqual(['V2', 'V3']);
      const appointments = await t.http().get(`${room(net.dealerA.id)}/appointments`).set(bearer(net.dealerA.adminToken));
      expect(appointments.body.total).toBe(2);
      for (const booked of res.body.appointments as { externalId: string; vehicleExternalId: string }[]) {
        const one = await t.http().get(`${room(net.dealerA.id)}/appointments/${encodeURIComponent(booked.externalId)}`).set(bearer(net.dealerA.adminToken));
        expect(one.status).toBe(200);
        expect(one.body).toMatchObject({ vehicleExternalId: booked.vehicleExternalId, type: 'inspection', status: 'booked' });
        expect(new Date(one.body.startsAt).toISOString()).toBe('2027-01-14T08:30:00.000Z');
      }
      expect((await entryOnList(entries.fleet)).outcomes).toEqual([expect.objectContaining({ outcome: 'appointment', appointmentStartsAt: '2027-01-14T08:30:00.000Z' })]);
      // Dealer B's room has no appointment from A's call.
      expect((await t.http().get(`${room(net.dealerB.id)}/appointments`).set({ 'X-Api-Key': net.dealerB.apiKey })).body.total).toBe(0);
    });

    it('moves the booked appointment when the call is recorded again with another time, instead of booking twice', async () => {
      const res = await outcome(bearer(net.dealerA.adminToken), net.dealerA.id, entries.fleet, { outcome: 'appointment', appointmentStartsAt: '2027-01-15T14:00:00+01:00' });
      expect(res.status).toBe(201);
      const appointments = await t.http().get(`${room(net.dealerA.id)}/appointments`).set(bearer(net.dealerA.adminToken));
      expect(appointments.body.total).toBe(2);
      expect(appointments.body.items.map((a: { startsAt: string }) => new Date(a.startsAt).toISOString())).toEqual(['2027-01-15T13:00:00.000Z', '2027-01-15T13:00:00.000Z']);
      expect((await entryOnList(entries.fleet)).outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['appointment', 'appointment']);
    });

    it("stops the fleet's reminders in the inspection reminder's flow, and brings the SMS the day before the booked appointment", async () => {
      const definition = t.app.get(PluginRegistry).list().find((p) => p.definition?.kind === 'service' && p.definition.service === 'inspection-reminder')!
        .definition as ServiceDefinition;
      const settings = { channels: ['email', 'letter'], leadTimeDays: 42, reminderAfterDays: 14, callListAfterDays: 28, smsDaysBeforeAppointment: 1 };
      const vehicleIds = [await idOf('vehicles', net.dealerA.id, 'V2'), await idOf('vehicles', net.dealerA.id, 'V3')];
      const journey: JourneyState = {
        id: 'fleet-journey',
        serviceKey: 'inspection-reminder',
        customerId: await idOf('customers', net.dealerA.id, 'F1'),
        vehicleIds,
        dueDate: '2027-01-20',
        startedOn: '2026-12-13',
        steps: { invite: { status: 'sent', on: '2026-12-13', channel: 'email' } },
      };
      // The appointments as the engine reads them from the data room (journey-facts).
      const appointments = await t.ownerQuery<AppointmentFact>(
        `SELECT id, vehicle_id AS "vehicleId", (starts_at AT TIME ZONE 'Europe/Amsterdam')::date::text AS "startsOn", status
           FROM appointments WHERE dealer_id = $1 AND vehicle_id = ANY($2::uuid[])`,
        [net.dealerA.id, vehicleIds],
      );
      expect(appointments.map((a) => [a.startsOn, a.status])).toEqual([['2027-01-15', 'booked'], ['2027-01-15', 'booked']]);
      expect(decideSteps(journey, definition, settings, [], '2027-01-12').actions.map((a) => a.stepKey)).toEqual(['reminder', 'call']);
      const decided = decideSteps(journey, definition, settings, appointments, '2027-01-12');
      expect(decided.actions).toEqual([]);
      expect(decided.skipped).toEqual([
        { stepKey: 'reminder', reason: 'appointment-booked' },
        { stepKey: 'call', reason: 'appointment-booked' },
      ]);
      expect(decideSteps(journey, definition, settings, appointments, '2027-01-14').actions.map((a) => [a.step.id, a.channels])).toEqual([
        ['appointment-sms', ['sms']],
        ['appointment-sms', ['sms']],
      ]);
    });
  });
});
