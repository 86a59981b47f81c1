import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createForecourtApp } from '../apps/host/src/app.factory';
import { DEMO_LOGINS, DEMO_PASSWORD, generateDemoNetwork } from '../apps/host/src/seed/demo-network';
import { SeedService } from '../apps/host/src/seed/seed.service';
import { bearer, login } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

const CLI = resolve(__dirname, '../dist/apps/host/src/cli.js');

/** What one seeding writes, counted from the generator (dates aside, every day gives the same numbers). */
const expected = (() => {
  const demo = generateDemoNetwork(new Date().toISOString().slice(0, 10));
  const sum = (key: 'customers' | 'vehicles' | 'consents' | 'appointments') => demo.dealers.reduce((n, d) => n + d[key].length, 0);
  return { brands: demo.brands.length, dealers: demo.dealers.length, customers: sum('customers'), vehicles: sum('vehicles'), consents: sum('consents') };
})();

async function counts(t: TestApp) {
  const [row] = await t.ownerQuery<Record<string, string>>(
    `SELECT (SELECT count(*) FROM brands) AS brands, (SELECT count(*) FROM dealers) AS dealers, (SELECT count(*) FROM users) AS users,
            (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM vehicles) AS vehicles,
            (SELECT count(*) FROM consents) AS consents, (SELECT count(*) FROM appointments) AS appointments`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

describe('demo network on a fresh install', () => {
  let t: TestApp;
  let bootMs: number;
  let tokens: Record<string, string>;
  let dealers: { id: string; key: string; name: string; brandIds: string[]; timezone: string; locale: string; address: { country: string } }[];

  beforeAll(async () => {
    const started = Date.now();
    t = await startTestApp({ FORECOURT_DEMO: '1' });
    bootMs = Date.now() - started;
    tokens = {};
    for (const email of [...DEMO_LOGINS.map((l) => l.email), 'user@demo.test']) tokens[email] = await login(t, email, DEMO_PASSWORD);
    dealers = (await t.http().get('/api/dealers').set(bearer(tokens['admin@demo.test']))).body.items;
  }, 60_000);
  afterAll(() => t?.close());

  it('boots with the demo well within 30 seconds', () => {
    expect(bootMs).toBeLessThan(30_000);
  });

  it('lets the demo logins in with forecourt-demo, each with its role', async () => {
    for (const { email, role } of [...DEMO_LOGINS, { email: 'user@demo.test', role: 'dealer-user' }]) {
      const res = await t.http().post('/api/auth/login').send({ email, password: DEMO_PASSWORD });
      expect([email, res.status, res.body.user?.role]).toEqual([email, 200, role]);
    }
    const first = dealers.find((d) => d.key === 'demo-utrecht')!;
    const me = async (email: string) => (await t.http().get('/api/auth/me').set(bearer(tokens[email]))).body;
    expect(await me('dealer@demo.test')).toMatchObject({ role: 'dealer-admin', dealerId: first.id });
    expect(await me('user@demo.test')).toMatchObject({ role: 'dealer-user', dealerId: first.id });
    expect((await me('brand@demo.test')).brandIds).toHaveLength(1);
    const wrong = await t.http().post('/api/auth/login').send({ email: 'admin@demo.test', password: 'not-the-demo-password' });
    expect(wrong.status).toBe(401);
  });

  it('has at least three brands with their own themes', async () => {
    const brands = (await t.http().get('/api/brands').set(bearer(tokens['admin@demo.test']))).body.items;
    expect(brands.length).toBeGreaterThanOrEqual(3);
    expect(new Set(brands.map((b: { theme: { primaryColor: string } }) => b.theme.primaryColor)).size).toBe(brands.length);
    for (const brand of brands) {
      expect(brand.theme).toEqual(
        expect.objectContaining({ secondaryColor: expect.any(String), fontFamily: expect.any(String), logoUrl: expect.any(String), footerHtml: expect.any(String) }),
      );
    }
  });

  it('has four dealers in the Netherlands and Germany with different brand mixes', () => {
    expect(dealers).toHaveLength(4);
    const byCountry = (country: string) => dealers.filter((d) => d.address.country === country);
    expect(byCountry('NL').map((d) => [d.timezone, d.locale])).toEqual([['Europe/Amsterdam', 'nl'], ['Europe/Amsterdam', 'nl']]);
    expect(byCountry('DE').map((d) => [d.timezone, d.locale])).toEqual([['Europe/Berlin', 'de'], ['Europe/Berlin', 'de']]);
    expect(new Set(dealers.map((d) => [...d.brandIds].sort().join())).size).toBe(4);
    for (const dealer of dealers) expect(dealer).toMatchObject({ email: expect.any(String), phone: expect.stringMatching(/^\+\d+$/), senderName: expect.any(String), senderEmail: expect.any(String) });
  });

  it('has about a thousand customers across the dealers, with their cars, ledger and appointments', async () => {
    const c = await counts(t);
    expect(c.customers).toBeGreaterThanOrEqual(950);
    expect(c.customers).toBeLessThanOrEqual(1050);
    expect(c).toMatchObject({ customers: expected.customers, vehicles: expected.vehicles, consents: expected.consents });
    expect(c.appointments).toBeGreaterThan(20);
    const perDealer = await t.ownerQuery<{ n: string }>('SELECT count(*) AS n FROM customers GROUP BY dealer_id');
    expect(perDealer).toHaveLength(4);
    for (const { n } of perDealer) expect(Number(n)).toBeGreaterThan(150);
  });

  it('has fleets: companies with a fleet manager and 3 to 10 cars', async () => {
    const fleets = await t.ownerQuery<{ cars: number; contacts: { role?: string }[] }>(
      `SELECT count(v.id)::int AS cars, c.contacts FROM customers c JOIN vehicles v ON v.customer_id = c.id
        WHERE c.kind = 'company' GROUP BY c.id`,
    );
    expect(fleets.length).toBeGreaterThanOrEqual(20);
    for (const fleet of fleets) {
      expect(fleet.cars).toBeGreaterThanOrEqual(3);
      expect(fleet.cars).toBeLessThanOrEqual(10);
      expect(fleet.contacts.map((p) => p.role)).toContain('fleet manager');
    }
    const [{ letterOnly }] = await t.ownerQuery<{ letterOnly: number }>(
      `SELECT count(*)::int AS "letterOnly" FROM customers WHERE email IS NULL AND phone IS NULL AND street IS NOT NULL`,
    );
    expect(letterOnly).toBeGreaterThan(10);
  });

  it('has consents withdrawn later and consents per vehicle in the ledger', async () => {
    const [row] = await t.ownerQuery<{ withdrawn: number; perVehicle: number; sources: string[] }>(
      `SELECT
         (SELECT count(*)::int FROM consents w WHERE NOT w.granted AND EXISTS (
            SELECT 1 FROM consents g WHERE g.customer_id = w.customer_id AND g.granted AND g.acted_at < w.acted_at
              AND g.channel = w.channel AND g.purpose = w.purpose)) AS withdrawn,
         (SELECT count(*)::int FROM consents WHERE vehicle_id IS NOT NULL) AS "perVehicle",
         (SELECT array_agg(DISTINCT source) FROM consents) AS sources`,
    );
    expect(row.withdrawn).toBeGreaterThan(10);
    expect(row.perVehicle).toBeGreaterThan(10);
    expect(row.sources).toEqual(expect.arrayContaining(['dms-import', 'preference-center']));
  });

  it('spreads inspection due dates over the coming year', async () => {
    const [row] = await t.ownerQuery<{ months: number; outside: number }>(
      `SELECT count(DISTINCT date_trunc('month', inspection_due_date))::int AS months,
              count(*) FILTER (WHERE inspection_due_date < current_date - 1 OR inspection_due_date > current_date + 367)::int AS outside
         FROM vehicles`,
    );
    expect(row.months).toBeGreaterThanOrEqual(10);
    expect(row.outside).toBe(0);
    const [appointments] = await t.ownerQuery<{ booked: number; done: number }>(
      `SELECT count(*) FILTER (WHERE status = 'booked' AND starts_at > now())::int AS booked,
              count(*) FILTER (WHERE status = 'done' AND starts_at < now())::int AS done FROM appointments`,
    );
    expect(appointments.booked).toBeGreaterThan(0);
    expect(appointments.done).toBeGreaterThan(0);
  });

  it('shows the dealer admin its own customers; another dealer is not found and a brand admin is refused', async () => {
    const [own, other] = [dealers.find((d) => d.key === 'demo-utrecht')!, dealers.find((d) => d.key !== 'demo-utrecht')!];
    const [{ n }] = await t.ownerQuery<{ n: string }>('SELECT count(*) AS n FROM customers WHERE dealer_id = $1', [own.id]);
    const res = await t.http().get(`/api/dealers/${own.id}/customers`).set(bearer(tokens['dealer@demo.test']));
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(Number(n));
    expect(res.body.items.length).toBeGreaterThan(0);
    const company = await t.http().get(`/api/dealers/${own.id}/customers?q=B.V.`).set(bearer(tokens['user@demo.test']));
    expect(company.body.items[0]).toMatchObject({ kind: 'company', contacts: [expect.objectContaining({ role: 'fleet manager' })] });
    expect((await t.http().get(`/api/dealers/${other.id}/customers`).set(bearer(tokens['dealer@demo.test']))).status).toBe(404);
    expect((await t.http().get(`/api/dealers/${own.id}/customers`).set(bearer(tokens['brand@demo.test']))).status).toBe(403);
    const visible = (await t.http().get('/api/dealers').set(bearer(tokens['brand@demo.test']))).body.items;
    expect(visible.length).toBeGreaterThanOrEqual(1);
    expect(visible.length).toBeLessThan(4);
  });

  it('does not seed twice: not on another boot pass, and not after a restart on the same database', async () => {
    const before = await counts(t);
    await t.app.get(SeedService).onBoot();
    expect(await t.app.get(SeedService).seedDemo()).toBeUndefined();
    const restarted = await createForecourtApp(t.config, { logger: false });
    await restarted.close();
    expect(await counts(t)).toEqual(before);
    const [{ seeded }] = await t.ownerQuery<{ seeded: number }>(`SELECT count(*)::int AS seeded FROM audit_log WHERE action = 'demo.seed'`);
    expect(seeded).toBe(1);
  });
});

describe('FORECOURT_DEMO=0 and `npm run forecourt -- seed`', () => {
  let t: TestApp;
  let dataDir: string;

  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: t.ownerUrl,
        // The app role's password is derived from the secret: the command must share the server's.
        FORECOURT_SECRET: t.config.secret,
        FORECOURT_DATA_DIR: dataDir,
        FORECOURT_DEMO: '0',
      },
    }).then(
      ({ stderr }) => ({ code: 0, stderr }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  beforeAll(async () => {
    t = await startTestApp();
    dataDir = mkdtempSync(join(tmpdir(), 'forecourt-cli-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts empty without the demo', async () => {
    expect(await counts(t)).toMatchObject({ brands: 0, dealers: 0, users: 0, customers: 0 });
    expect((await t.http().post('/api/auth/login').send({ email: 'admin@demo.test', password: DEMO_PASSWORD })).status).toBe(401);
  });

  it('seeds once even when the command and a booting server race for an empty database', async () => {
    const [command, inProcess] = await Promise.all([cli('seed'), t.app.get(SeedService).seedDemo()]);
    expect(command.code).toBe(0);
    const commandSeeded = /seeded demo network "Demo Motor Group"/.test(command.stderr);
    expect(commandSeeded).toBe(inProcess === undefined);
    if (commandSeeded) expect(command.stderr).toContain('admin@demo.test');
    expect(await counts(t)).toMatchObject({ brands: expected.brands, dealers: expected.dealers, users: 4, customers: expected.customers, vehicles: expected.vehicles });
    expect((await t.http().post('/api/auth/login').send({ email: 'dealer@demo.test', password: DEMO_PASSWORD })).status).toBe(200);
  }, 60_000);

  it('says so and exits 0 on a database that already has brands, and takes no options', async () => {
    const again = await cli('seed');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already has brands: nothing seeded/);
    expect((await counts(t)).customers).toBe(expected.customers);
    const forced = await cli('seed', '--force');
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/seed takes no arguments/);
  }, 60_000);
});
