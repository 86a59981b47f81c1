import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

interface Effective {
  channel: string;
  purpose: string;
  vehicleExternalId?: string;
  granted: boolean;
  basis: 'ledger' | 'default';
  source?: string;
  at?: string;
}

/** The consent API applies the ledger's rules (see consent-ledger.spec.ts) to what was posted. */
describe('consent API', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let key: Record<string, string>;
  let room: string;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    key = { 'X-Api-Key': net.dealerA.apiKey };
    room = `/api/dealers/${net.dealerA.id}`;
    for (const [path, body] of [
      ['customers/C2', { kind: 'person', lastName: 'Ledger' }],
      ['vehicles/V21', { customerExternalId: 'C2', brandId: net.brands[0].id }],
      ['vehicles/V22', { customerExternalId: 'C2', brandId: net.brands[0].id }],
    ] as const) {
      const res = await t.http().put(`${room}/${path}`).set(key).send(body);
      if (res.status >= 300) throw new Error(`setup ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
  afterAll(() => t?.close());

  const post = (customer: string, body: object) => t.http().post(`${room}/customers/${customer}/consents`).set(key).send(body);
  const ledger = async (customer: string) => {
    const res = await t.http().get(`${room}/customers/${customer}/consents`).set(key);
    expect(res.status).toBe(200);
    return res.body as { effective: Effective[]; history: Record<string, unknown>[] };
  };
  const find = (effective: Effective[], channel: string, purpose: string, vehicleExternalId?: string) =>
    effective.find((e) => e.channel === channel && e.purpose === purpose && e.vehicleExternalId === vehicleExternalId);

  it('answers defaults for a customer who said nothing: service yes, marketing no', async () => {
    const { effective, history } = await ledger('C1');
    expect(history).toEqual([]);
    expect(effective).toHaveLength(8);
    for (const e of effective) expect(e).toMatchObject({ basis: 'default', granted: e.purpose === 'service' });
  });

  it('keeps a newer opt-out against an older opt-in that arrives later', async () => {
    const optOut = await post('C1', { channel: 'email', purpose: 'marketing', granted: false, source: 'preference-center', at: '2026-05-01T10:00:00Z' });
    expect(optOut.status).toBe(201);
    expect(optOut.body).toMatchObject({ recorded: true, channel: 'email', purpose: 'marketing', granted: false });
    const stale = await post('C1', { channel: 'all', purpose: 'all', granted: true, source: 'dms-import', at: '2026-01-15T09:00:00Z' });
    expect(stale.status).toBe(201);
    const { effective, history } = await ledger('C1');
    expect(find(effective, 'email', 'marketing')).toMatchObject({ granted: false, basis: 'ledger', source: 'preference-center', at: '2026-05-01T10:00:00.000Z' });
    // Where nothing newer applies, the older statement does decide.
    expect(find(effective, 'sms', 'marketing')).toMatchObject({ granted: true, basis: 'ledger', source: 'dms-import' });
    expect(history.map((h) => h.source)).toEqual(['dms-import', 'preference-center']);
    expect(history[0]).toMatchObject({ channel: 'all', purpose: 'all', granted: true, at: '2026-01-15T09:00:00.000Z', recordedAt: expect.any(String) });
  });

  it('records the same statement once, however its time is written', async () => {
    const again = await post('C1', { channel: 'email', purpose: 'marketing', granted: false, source: 'preference-center', at: '2026-05-01T12:00:00+02:00' });
    expect(again.status).toBe(200);
    expect(again.body.recorded).toBe(false);
    expect((await ledger('C1')).history).toHaveLength(2);
  });

  it('resolves statements of the same moment by specificity: all off, except one vehicle', async () => {
    const at = '2026-06-01T08:00:00Z';
    expect((await post('C2', { channel: 'all', purpose: 'all', granted: false, source: 'preference-center', at })).status).toBe(201);
    expect((await post('C2', { channel: 'all', purpose: 'all', vehicleExternalId: 'V21', granted: true, source: 'preference-center', at })).status).toBe(201);
    const { effective } = await ledger('C2');
    for (const channel of ['email', 'sms', 'letter', 'phone']) {
      for (const purpose of ['service', 'marketing']) {
        expect(find(effective, channel, purpose, 'V21')).toMatchObject({ granted: true, basis: 'ledger' });
        expect(find(effective, channel, purpose)).toMatchObject({ granted: false, basis: 'ledger' });
      }
    }
    // V22 is named nowhere in the ledger: it follows the customer-level answer.
    expect(effective.some((e) => e.vehicleExternalId === 'V22')).toBe(false);
  });

  it('keeps a vehicle-level opt-out to that vehicle', async () => {
    const later = '2026-07-01T08:00:00Z';
    expect((await post('C2', { channel: 'all', purpose: 'service', granted: true, source: 'desk', at: later })).status).toBe(201);
    expect((await post('C2', { channel: 'letter', purpose: 'service', vehicleExternalId: 'V22', granted: false, source: 'desk', at: '2026-07-02T08:00:00Z' })).status).toBe(201);
    const { effective } = await ledger('C2');
    expect(find(effective, 'letter', 'service', 'V22')).toMatchObject({ granted: false });
    expect(find(effective, 'letter', 'service', 'V21')).toMatchObject({ granted: true });
    expect(find(effective, 'letter', 'service')).toMatchObject({ granted: true });
    expect(find(effective, 'email', 'service', 'V22')).toMatchObject({ granted: true });
    expect(find(effective, 'email', 'marketing', 'V22')).toMatchObject({ granted: false });
  });

  it("refuses a vehicle of another customer, naming the field", async () => {
    const res = await post('C1', { channel: 'email', purpose: 'service', vehicleExternalId: 'V21', granted: true, source: 'desk' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'vehicleExternalId' })]);
  });

  it('refuses a statement dated in the future, which would outvote every opt-out until then', async () => {
    const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    const res = await post('C1', { channel: 'all', purpose: 'all', granted: true, source: 'dms-import', at: future });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'at' })]);
    const soon = new Date(Date.now() + 60 * 1000).toISOString();
    expect((await post('C1', { channel: 'phone', purpose: 'service', granted: true, source: 'fast-clock', at: soon })).status).toBe(201);
  });

  it('takes a bare date as midnight UTC', async () => {
    expect((await post('C1', { channel: 'letter', purpose: 'marketing', granted: true, source: 'paper-form', at: '2026-02-03' })).status).toBe(201);
    const { history } = await ledger('C1');
    expect(history.find((h) => h.source === 'paper-form')).toMatchObject({ at: '2026-02-03T00:00:00.000Z' });
    const again = await post('C1', { channel: 'letter', purpose: 'marketing', granted: true, source: 'paper-form', at: '2026-02-03T00:00:00Z' });
    expect(again.status).toBe(200);
  });

  it('answers 404 for a customer that is not there', async () => {
    expect((await t.http().get(`${room}/customers/NOPE/consents`).set(key)).status).toBe(404);
    expect((await post('NOPE', { channel: 'email', purpose: 'service', granted: true, source: 'desk' })).status).toBe(404);
  });
});
