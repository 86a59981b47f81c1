import { ADMIN, bearer, createNetwork, FIXTURE_ENV, NetworkFixture, PASSWORD } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

describe('authentication, roles, the audit trail and the edge of the API', () => {
  let t: TestApp;
  let net: NetworkFixture;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
  });
  afterAll(() => t?.close());

  const login = (email: string, password: string) => t.http().post('/api/auth/login').send({ email, password });

  const expectProblem = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  };

  describe('logins', () => {
    it('gives a token that works on /api/auth/me', async () => {
      const res = await login('dealer-admin@dealer-a.test', PASSWORD);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ email: 'dealer-admin@dealer-a.test', role: 'dealer-admin', dealerId: net.dealerA.id });
      expect(JSON.stringify(res.body)).not.toMatch(/password|scrypt/i);
      const me = await t.http().get('/api/auth/me').set(bearer(res.body.accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ kind: 'user', role: 'dealer-admin', dealerId: net.dealerA.id });
    });

    it('refuses a route without credentials, and a forged token', async () => {
      expectProblem(await t.http().get('/api/auth/me'), 401);
      expectProblem(await t.http().get('/api/auth/me').set(bearer(`${net.adminToken.slice(0, -4)}AAAA`)), 401);
    });

    it('answers a wrong password with a 401 problem', async () => {
      const res = await login('dealer-user@dealer-a.test', 'wrong-password-1');
      expectProblem(res, 401);
    });

    it('after 5 failed logins for one email refuses the next with 429, even with the right password', async () => {
      const email = 'dealer-user@dealer-b.test';
      for (let i = 0; i < 5; i++) expect((await login(email, `wrong-${i}-password`)).status).toBe(401);
      const res = await login(email, PASSWORD);
      expectProblem(res, 429);
      expect(res.body.detail).toMatch(/too many/i);
      // Another account is not affected, and the email is matched without regard to case.
      expect((await login('dealer-admin@dealer-b.test', PASSWORD)).status).toBe(200);
      expect((await login(email.toUpperCase(), PASSWORD)).status).toBe(429);
    });

    it('treats an unknown email exactly like a wrong password, throttling included', async () => {
      const known = await login('dealer-admin@dealer-a.test', 'wrong-password-2');
      const unknown = await login('nobody@nowhere.test', 'wrong-password-2');
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toEqual(known.body);
      for (let i = 0; i < 4; i++) expect((await login('nobody@nowhere.test', `wrong-${i}`)).status).toBe(401);
      expectProblem(await login('nobody@nowhere.test', 'wrong-9'), 429);
    });

    it('does not let concurrent guesses slip past the throttle', async () => {
      const email = 'brand@fixture.test';
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => login(email, `guess-${i}-password`)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    });
  });

  describe('API keys', () => {
    let key: string;
    let keyId: string;

    it('shows a new key once: in the answer to POST, never in the list', async () => {
      const created = await t.http().post(`/api/dealers/${net.dealerA.id}/api-keys`).set(bearer(net.dealerA.adminToken)).send({ name: 'crm' });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatch(/^fck_/);
      key = created.body.key;
      keyId = created.body.id;
      const list = await t.http().get(`/api/dealers/${net.dealerA.id}/api-keys`).set(bearer(net.dealerA.adminToken));
      expect(list.status).toBe(200);
      expect(list.body.map((k: { id: string }) => k.id)).toContain(keyId);
      const [{ key_hash }] = await t.ownerQuery<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [keyId]);
      const text = JSON.stringify(list.body);
      expect(text).not.toContain(key);
      expect(text).not.toContain(key_hash);
      expect(text).not.toMatch(/keyHash|key_hash/);
    });

    it("acts for its own dealer only", async () => {
      const own = await t.http().get(`/api/dealers/${net.dealerA.id}/customers`).set('X-Api-Key', key);
      expect(own.status).toBe(200);
      expect(own.body.items.map((c: { externalId: string }) => c.externalId)).toContain('C1');
      expectProblem(await t.http().get(`/api/dealers/${net.dealerB.id}/customers`).set('X-Api-Key', key), 404);
      expectProblem(await t.http().get(`/api/dealers/${net.dealerB.id}/customers/C1`).set('X-Api-Key', key), 404);
      const brand = await t.http().post('/api/brands').set('X-Api-Key', key).send({ key: 'by-key', name: 'By key', theme: { primaryColor: '#000000' } });
      expectProblem(brand, 403);
      expectProblem(await t.http().post('/api/users').set('X-Api-Key', key).send({ email: 'k@k.test', password: 'long-password-1', role: 'network-admin' }), 400);
    });

    it('is refused once revoked', async () => {
      const revoked = await t.http().delete(`/api/dealers/${net.dealerA.id}/api-keys/${keyId}`).set(bearer(net.dealerA.adminToken));
      expect(revoked.status).toBe(204);
      expectProblem(await t.http().get(`/api/dealers/${net.dealerA.id}/customers`).set('X-Api-Key', key), 401);
      expectProblem(await t.http().get(`/api/dealers/${net.dealerA.id}/customers`).set('X-Api-Key', 'fck_made-up-key'), 401);
    });

    it("is issued by the dealer's admin only, not by its users nor by the network admin", async () => {
      const path = `/api/dealers/${net.dealerA.id}/api-keys`;
      expectProblem(await t.http().post(path).set(bearer(net.dealerA.userToken)).send({}), 403);
      expectProblem(await t.http().post(path).set('X-Api-Key', net.dealerA.apiKey).send({}), 403);
      expectProblem(await t.http().post(path).set(bearer(net.adminToken)).send({}), 403);
      expectProblem(await t.http().post(`/api/dealers/${net.dealerB.id}/api-keys`).set(bearer(net.dealerA.adminToken)).send({}), 404);
      // The network admin sees which keys exist, not the keys.
      const listed = await t.http().get(path).set(bearer(net.adminToken));
      expect(listed.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toContain(net.dealerA.apiKey);
    });
  });

  describe('roles', () => {
    it('lets a dealer admin create a dealer user in its own dealer, nothing more', async () => {
      const as = bearer(net.dealerA.adminToken);
      const ok = await t.http().post('/api/users').set(as).send({ email: 'clerk@dealer-a.test', password: 'long-password-1', role: 'dealer-user', dealerId: net.dealerA.id });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ role: 'dealer-user', dealerId: net.dealerA.id });
      expect(ok.body.passwordHash).toBeUndefined();
      for (const body of [
        { email: 'boss@dealer-a.test', password: 'long-password-1', role: 'network-admin' },
        { email: 'boss2@dealer-a.test', password: 'long-password-1', role: 'dealer-admin', dealerId: net.dealerA.id },
        { email: 'brand2@dealer-a.test', password: 'long-password-1', role: 'brand-admin', brandIds: [net.brands[0].id] },
        { email: 'spy@dealer-a.test', password: 'long-password-1', role: 'dealer-user', dealerId: net.dealerB.id },
      ]) {
        const res = await t.http().post('/api/users').set(as).send(body);
        expect([400, 403]).toContain(res.status);
        expect(res.body.detail).toMatch(/role|dealer/);
      }
      const network = await t.http().post('/api/users').set(as).send({ email: 'boss@dealer-a.test', password: 'long-password-1', role: 'network-admin' });
      expect(network.body.detail).toContain('network-admin');
      const [{ n }] = await t.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email LIKE '%@dealer-a.test' AND role <> 'dealer-user' AND role <> 'dealer-admin'`);
      expect(Number(n)).toBe(0);
    });

    it("lets a brand admin see its dealers but no data-room record", async () => {
      const as = bearer(net.brandAdminToken);
      const dealers = await t.http().get('/api/dealers').set(as);
      expect(dealers.status).toBe(200);
      expect(dealers.body.items.map((d: { id: string }) => d.id).sort()).toEqual([net.dealerA.id, net.dealerB.id].sort());
      for (const path of ['customers', 'customers/C1', 'vehicles', 'appointments', 'customers/C1/consents']) {
        expectProblem(await t.http().get(`/api/dealers/${net.dealerA.id}/${path}`).set(as), 403);
      }
      expectProblem(await t.http().post('/api/brands').set(as).send({ key: 'nope', name: 'Nope', theme: { primaryColor: '#000000' } }), 403);
      expectProblem(await t.http().patch(`/api/brands/${net.brands[1].id}`).set(as).send({ name: 'Not mine' }), 403);
    });

    it("keeps the network admin out of the data rooms", async () => {
      expectProblem(await t.http().get(`/api/dealers/${net.dealerA.id}/customers`).set(bearer(net.adminToken)), 403);
    });

    it('answers 404 for ids that are not uuids', async () => {
      expectProblem(await t.http().get('/api/dealers/not-a-uuid').set(bearer(net.adminToken)), 404);
      expectProblem(await t.http().get('/api/dealers/not-a-uuid/customers').set('X-Api-Key', net.dealerA.apiKey), 404);
    });
  });

  describe('public surface', () => {
    it('publishes the OpenAPI document with the paths', async () => {
      const res = await t.http().get('/api/docs-json');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/auth/login',
          '/api/brands',
          '/api/dealers',
          '/api/dealers/{dealerId}',
          '/api/users',
          '/api/dealers/{dealerId}/api-keys',
          '/api/dealers/{dealerId}/customers',
          '/api/dealers/{dealerId}/customers/{externalId}',
          '/api/dealers/{dealerId}/customers/{externalId}/consents',
          '/api/dealers/{dealerId}/vehicles/{externalId}',
          '/api/dealers/{dealerId}/appointments/{externalId}',
          '/api/dealers/{dealerId}/events',
        ]),
      );
    });

    it('answers malformed input with a 400 naming the field, not a 500', async () => {
      const key = { 'X-Api-Key': net.dealerA.apiKey };
      const nul = await t.http().put(`/api/dealers/${net.dealerA.id}/customers/NUL-1`).set(key).send({ kind: 'person', lastName: 'a\u0000b', contacts: [{ role: 'x\u0000' }] });
      expectProblem(nul, 400);
      expect(nul.body.errors).toEqual([
        { field: 'lastName', message: expect.any(String) },
        { field: 'contacts.0.role', message: expect.any(String) },
      ]);
      const page = await t.http().get(`/api/dealers/${net.dealerA.id}/customers?page=9999999999999999999`).set(key);
      expectProblem(page, 400);
      expect(page.body.errors).toEqual([expect.objectContaining({ field: 'page' })]);
    });

    it('reports health', async () => {
      const res = await t.http().get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
    });
  });

  describe('audit log', () => {
    const entries = (action: string, entityId: string) =>
      t.ownerQuery<{ actor_type: string; actor_id: string; actor_label: string; action: string; entity_id: string; dealer_id: string | null }>(
        'SELECT * FROM audit_log WHERE action = $1 AND entity_id = $2',
        [action, entityId],
      );

    it('records who created a brand, what and when', async () => {
      const res = await t.http().post('/api/brands').set(bearer(net.adminToken)).send({ key: 'audited', name: 'Audited', theme: { primaryColor: '#101010' } });
      expect(res.status).toBe(201);
      const [admin] = await t.ownerQuery<{ id: string }>('SELECT id FROM users WHERE email = $1', [ADMIN.email]);
      const found = await entries('POST /api/brands', res.body.id);
      expect(found).toEqual([expect.objectContaining({ actor_type: 'user', actor_id: admin.id, actor_label: ADMIN.email, entity_id: res.body.id })]);
    });

    it('records the other admin actions too', async () => {
      const admin = bearer(net.adminToken);
      const dealer = await t.http().post('/api/dealers').set(admin).send({ key: 'audited-dealer', name: 'Audited', brandIds: [net.brands[0].id], timezone: 'Europe/Amsterdam', locale: 'nl' });
      expect(dealer.status).toBe(201);
      expect(await entries('POST /api/dealers', dealer.body.id)).toHaveLength(1);
      const patched = await t.http().patch(`/api/dealers/${dealer.body.id}`).set(admin).send({ name: 'Audited 2' });
      expect(patched.status).toBe(200);
      expect(await entries('PATCH /api/dealers/:dealerId', dealer.body.id)).toHaveLength(1);
      const user = await t.http().post('/api/users').set(admin).send({ email: 'audited@x.test', password: 'long-password-1', role: 'dealer-admin', dealerId: dealer.body.id });
      expect(user.status).toBe(201);
      const [entry] = await entries('POST /api/users', user.body.id);
      expect(entry).toBeDefined();
      expect(JSON.stringify(entry)).not.toContain('long-password-1');
      const adminD = (await login('audited@x.test', 'long-password-1')).body.accessToken;
      const key = await t.http().post(`/api/dealers/${dealer.body.id}/api-keys`).set(bearer(adminD)).send({ name: 'audited' });
      expect(key.status).toBe(201);
      const [keyEntry] = await entries('POST /api/dealers/:dealerId/api-keys', key.body.id);
      expect(keyEntry).toMatchObject({ actor_label: 'audited@x.test', dealer_id: dealer.body.id });
      expect(JSON.stringify(keyEntry)).not.toContain(key.body.key);
      const revoked = await t.http().delete(`/api/dealers/${dealer.body.id}/api-keys/${key.body.id}`).set(bearer(adminD));
      expect(revoked.status).toBe(204);
      expect(await entries('DELETE /api/dealers/:dealerId/api-keys/:keyId', key.body.id)).toHaveLength(1);
    });

    it('shows a dealer admin only its own dealer’s entries', async () => {
      const res = await t.http().get('/api/audit-log?pageSize=1000').set(bearer(net.dealerA.adminToken));
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.filter((e: { dealerId: string }) => e.dealerId !== net.dealerA.id)).toEqual([]);
      expectProblem(await t.http().get('/api/audit-log').set(bearer(net.dealerA.userToken)), 403);
      expectProblem(await t.http().get('/api/audit-log').set('X-Api-Key', net.dealerA.apiKey), 403);
    });
  });
});
