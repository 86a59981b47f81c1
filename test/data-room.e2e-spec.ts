import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

describe('data room API', () => {
  let t: TestApp;
  let net: NetworkFixture;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
  });
  afterAll(() => t?.close());

  it('upserts a customer by external id: 201 on create, 200 on update, same shape back', async () => {
    const key = { 'X-Api-Key': net.dealerA.apiKey };
    const body = { kind: 'company', companyName: 'Fleet BV', email: 'Fleet@Example.com', address: { street: 'Kade 1', postalCode: '3511 AB', city: 'Utrecht', country: 'NL' }, contacts: [{ firstName: 'Fleur', role: 'fleet manager' }] };
    const created = await t.http().put(`/api/dealers/${net.dealerA.id}/customers/F-1`).set(key).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ externalId: 'F-1', kind: 'company', companyName: 'Fleet BV', email: 'fleet@example.com', address: body.address });
    const again = await t.http().put(`/api/dealers/${net.dealerA.id}/customers/F-1`).set(key).send({ ...body, companyName: 'Fleet B.V.' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.companyName).toBe('Fleet B.V.');
  });

  it('names the field at fault as problem+json', async () => {
    const res = await t.http().put(`/api/dealers/${net.dealerA.id}/customers/X-1`).set('X-Api-Key', net.dealerA.apiKey)
      .send({ kind: 'person', lastName: 'Doe', email: 'not-an-email', address: { street: 'a', postalCode: '1', city: 'c', country: 'nl' } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['address.country', 'email']);
  });
});
