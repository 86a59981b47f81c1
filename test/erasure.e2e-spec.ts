import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/** GDPR erasure: DELETE …/customers/:externalId removes the person and everything hanging off them. */
describe('erasure of a customer', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let customerId: string;

  /** What the database holds about a customer of a dealer, table by table. */
  const holdings = async (dealerId: string, externalId: string) => {
    const [row] = await t.ownerQuery<Record<string, number | string | null>>(
      `SELECT c.id,
              (SELECT count(*) FROM vehicles v WHERE v.customer_id = c.id)::int AS vehicles,
              (SELECT count(*) FROM consents e WHERE e.customer_id = c.id)::int AS consents,
              (SELECT count(*) FROM appointments a WHERE a.customer_id = c.id)::int AS appointments,
              (SELECT count(*) FROM events e WHERE e.customer_id = c.id)::int AS events
         FROM customers c WHERE c.dealer_id = $1 AND c.external_id = $2`,
      [dealerId, externalId],
    );
    return row;
  };

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    for (const dealer of [net.dealerA, net.dealerB]) {
      const as = bearer(dealer.adminToken);
      const room = `/api/dealers/${dealer.id}`;
      for (const request of [
        t.http().put(`${room}/customers/C1`).set(as).send({ kind: 'person', firstName: 'Erika', lastName: 'Mustermann', email: 'erika@mustermann.test', phone: '+491701234567', birthDate: '1980-04-23' }),
        t.http().put(`${room}/vehicles/V2`).set(as).send({ customerExternalId: 'C1', brandId: net.brands[0].id, licensePlate: 'EM-12-34' }),
        t.http().post(`${room}/customers/C1/consents`).set(as).send({ channel: 'email', purpose: 'marketing', granted: true, source: 'desk' }),
        t.http().post(`${room}/customers/C1/consents`).set(as).send({ channel: 'sms', purpose: 'all', vehicleExternalId: 'V2', granted: false, source: 'desk' }),
        t.http().put(`${room}/appointments/AP1`).set(as).send({ vehicleExternalId: 'V1', type: 'service', startsAt: '2027-02-01T09:00:00Z', status: 'booked' }),
        t.http().post(`${room}/events`).set(as).send({ customerExternalId: 'C1', type: 'test-drive', properties: { model: 'X' } }),
      ]) {
        const res = await request;
        if (res.status >= 300) throw new Error(`setup: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    const before = await holdings(net.dealerA.id, 'C1');
    expect(before).toMatchObject({ vehicles: 2, consents: 2, appointments: 1, events: 1 });
    customerId = before.id as string;
  });
  afterAll(() => t?.close());

  it('may not be done by a dealer user', async () => {
    const res = await t.http().delete(`/api/dealers/${net.dealerA.id}/customers/C1`).set(bearer(net.dealerA.userToken));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await holdings(net.dealerA.id, 'C1')).toBeDefined();
  });

  it("may not be done on another dealer's customer, nor by brand or network admins", async () => {
    expect((await t.http().delete(`/api/dealers/${net.dealerB.id}/customers/C1`).set(bearer(net.dealerA.adminToken))).status).toBe(404);
    expect((await t.http().delete(`/api/dealers/${net.dealerA.id}/customers/C1`).set(bearer(net.adminToken))).status).toBe(403);
    expect((await t.http().delete(`/api/dealers/${net.dealerA.id}/customers/C1`).set(bearer(net.brandAdminToken))).status).toBe(403);
    expect(await holdings(net.dealerA.id, 'C1')).toBeDefined();
  });

  it('removes the customer with vehicles, consents, appointments and events', async () => {
    const res = await t.http().delete(`/api/dealers/${net.dealerA.id}/customers/C1`).set(bearer(net.dealerA.adminToken));
    expect(res.status).toBe(204);
    expect(await holdings(net.dealerA.id, 'C1')).toBeUndefined();
    for (const table of ['vehicles', 'consents', 'appointments', 'events']) {
      const rows = await t.ownerQuery(`SELECT 1 FROM ${table} WHERE customer_id = $1`, [customerId]);
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
    const [{ n }] = await t.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM customers WHERE dealer_id = $1 AND (email = 'erika@mustermann.test' OR last_name = 'Mustermann')`,
      [net.dealerA.id],
    );
    expect(n).toBe(0);
  });

  it("leaves nothing of the person in any of the dealer's tables, including tables added later", async () => {
    const tables = await t.ownerQuery<{ name: string; customer_ref: boolean }>(
      `SELECT c.table_name AS name, bool_or(c2.column_name IS NOT NULL) AS customer_ref
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         LEFT JOIN information_schema.columns c2 ON c2.table_schema = c.table_schema AND c2.table_name = c.table_name AND c2.column_name = 'customer_id'
        WHERE c.table_schema = 'public' AND c.column_name = 'dealer_id'
        GROUP BY c.table_name`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const { name, customer_ref } of tables) {
      const [{ n }] = await t.ownerQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${name} r WHERE r.dealer_id = $1 AND (r::text ILIKE ANY($2)${customer_ref ? ' OR r.customer_id = $3' : ''})`,
        [net.dealerA.id, ['%Mustermann%', '%erika@mustermann.test%', '%+491701234567%', '%EM1234%'], ...(customer_ref ? [customerId] : [])],
      );
      expect({ table: name, rowsAboutThePerson: n }).toEqual({ table: name, rowsAboutThePerson: 0 });
    }
  });

  it('leaves an audit entry that names a pseudonym, not the person', async () => {
    const entries = await t.ownerQuery<Record<string, unknown>>(`SELECT * FROM audit_log WHERE action = 'customer.erase' AND dealer_id = $1`, [net.dealerA.id]);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ actor_type: 'user', actor_label: 'dealer-admin@dealer-a.test', entity_type: 'Customer' });
    expect(entry.entity_id).toMatch(/^pseudonym:[0-9a-f]{16,}$/);
    const text = JSON.stringify(entry);
    for (const personal of ['C1', customerId, 'Erika', 'Mustermann', 'erika@mustermann.test', '+491701234567', '1980-04-23', 'EM1234']) {
      expect({ personal, inEntry: text.includes(personal) }).toEqual({ personal, inEntry: false });
    }
    expect(entry.details).toEqual({ erased: { vehicles: 2, consents: 2, appointments: 1, events: 1 } });
  });

  it('no longer finds the customer afterwards: 404, also for a second erasure', async () => {
    const as = bearer(net.dealerA.adminToken);
    expect((await t.http().get(`/api/dealers/${net.dealerA.id}/customers/C1`).set(as)).status).toBe(404);
    expect((await t.http().get(`/api/dealers/${net.dealerA.id}/vehicles/V2`).set(as)).status).toBe(404);
    const again = await t.http().delete(`/api/dealers/${net.dealerA.id}/customers/C1`).set(as);
    expect(again.status).toBe(404);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await t.ownerQuery(`SELECT 1 FROM audit_log WHERE action = 'customer.erase'`)).toHaveLength(1);
  });

  it("leaves dealer B's customer C1 and everything of it untouched", async () => {
    expect(await holdings(net.dealerB.id, 'C1')).toMatchObject({ vehicles: 2, consents: 2, appointments: 1, events: 1 });
    const res = await t.http().get(`/api/dealers/${net.dealerB.id}/customers/C1`).set(bearer(net.dealerB.adminToken));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ externalId: 'C1', lastName: 'Mustermann', email: 'erika@mustermann.test' });
  });
});
