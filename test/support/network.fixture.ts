import { TestApp } from './test-app';

export const ADMIN = { email: 'root@network.test', password: 'root-password-1' };
export const PASSWORD = 'fixture-password-1';

export interface DealerFixture {
  id: string;
  key: string;
  adminToken: string;
  userToken: string;
  apiKey: string;
}

export interface NetworkFixture {
  adminToken: string;
  brandAdminToken: string;
  brands: { id: string; key: string }[];
  dealerA: DealerFixture;
  dealerB: DealerFixture;
  /** Every kind of caller, for sweeps: name → headers. */
  callers: Record<string, Record<string, string>>;
}

/** Env for startTestApp so the fixture's network admin exists at boot. */
export const FIXTURE_ENV = { FORECOURT_ADMIN_EMAIL: ADMIN.email, FORECOURT_ADMIN_PASSWORD: ADMIN.password };

export async function login(t: TestApp, email: string, password: string): Promise<string> {
  const res = await t.http().post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

async function ok(promise: PromiseLike<{ status: number; body: any }>, what: string) {
  const res = await promise;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Two brands; dealer A (NL, brand 1) and dealer B (DE, brands 1 and 2), each with an admin, a user,
 * an API key, and one customer with one vehicle (external ids C1 / V1 in both rooms).
 */
export async function createNetwork(t: TestApp): Promise<NetworkFixture> {
  const adminToken = await login(t, ADMIN.email, ADMIN.password);
  const as = bearer(adminToken);
  const brands = [];
  for (const [key, color] of [['vela', '#0b5fff'], ['nordkap', '#127a3a']]) {
    brands.push(await ok(t.http().post('/api/brands').set(as).send({ key, name: key.toUpperCase(), theme: { primaryColor: color } }), `brand ${key}`));
  }
  const dealers = [];
  for (const [key, brandIds, timezone, locale] of [
    ['dealer-a', [brands[0].id], 'Europe/Amsterdam', 'nl'],
    ['dealer-b', [brands[0].id, brands[1].id], 'Europe/Berlin', 'de'],
  ] as const) {
    dealers.push(await ok(t.http().post('/api/dealers').set(as).send({ key, name: key, brandIds, timezone, locale }), `dealer ${key}`));
  }
  await ok(
    t.http().post('/api/users').set(as).send({ email: 'brand@fixture.test', password: PASSWORD, role: 'brand-admin', brandIds: [brands[0].id] }),
    'brand admin',
  );
  const fixtures: DealerFixture[] = [];
  for (const dealer of dealers) {
    for (const role of ['dealer-admin', 'dealer-user']) {
      await ok(
        t.http().post('/api/users').set(as).send({ email: `${role}@${dealer.key}.test`, password: PASSWORD, role, dealerId: dealer.id }),
        `${role} ${dealer.key}`,
      );
    }
    const adminTokenD = await login(t, `dealer-admin@${dealer.key}.test`, PASSWORD);
    const userToken = await login(t, `dealer-user@${dealer.key}.test`, PASSWORD);
    const { key: apiKey } = await ok(t.http().post(`/api/dealers/${dealer.id}/api-keys`).set(bearer(adminTokenD)).send({ name: 'fixture' }), 'api key');
    await ok(
      t.http().put(`/api/dealers/${dealer.id}/customers/C1`).set('X-Api-Key', apiKey).send({ kind: 'person', firstName: 'Anna', lastName: `Room ${dealer.key}`, email: `anna@${dealer.key}.test` }),
      'customer',
    );
    await ok(
      t.http().put(`/api/dealers/${dealer.id}/vehicles/V1`).set('X-Api-Key', apiKey).send({ customerExternalId: 'C1', brandId: brands[0].id, licensePlate: 'AB-12-CD', inspectionDueDate: '2027-01-15' }),
      'vehicle',
    );
    fixtures.push({ id: dealer.id, key: dealer.key, adminToken: adminTokenD, userToken, apiKey });
  }
  const brandAdminToken = await login(t, 'brand@fixture.test', PASSWORD);
  const [dealerA, dealerB] = fixtures;
  return {
    adminToken,
    brandAdminToken,
    brands,
    dealerA,
    dealerB,
    callers: {
      'network-admin': bearer(adminToken),
      'brand-admin': bearer(brandAdminToken),
      'dealer-admin A': bearer(dealerA.adminToken),
      'dealer-user A': bearer(dealerA.userToken),
      'api-key A': { 'X-Api-Key': dealerA.apiKey },
    },
  };
}
