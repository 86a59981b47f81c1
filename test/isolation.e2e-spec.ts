import { randomUUID } from 'node:crypto';
import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The isolation sweep: every route the running app serves, called by every kind of caller that is
 * not dealer B, with dealer B's ids in the path and a body that would write if a wall were missing.
 * Routes are read from the app's router, so a route added later is swept without editing this file.
 */

interface Route {
  method: string;
  path: string;
}

interface Call {
  caller: string;
  method: string;
  url: string;
  status: number;
}

/** Every table with a dealer_id column, and whether row-level security walls it (see rls.e2e-spec.ts). */
const dealerTablesQuery = `
  SELECT c.table_name AS name, cl.relrowsecurity AS rls
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    JOIN pg_class cl ON cl.oid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
   WHERE c.table_schema = 'public' AND c.column_name = 'dealer_id'
   ORDER BY c.table_name`;

/** Network state a network admin may change for a dealer (its row, brands, users, subscriptions, runs). */
const NETWORK_ADMIN_MAY_CHANGE = (table: { name: string; rls: boolean }) => !table.rls && table.name !== 'api_keys';

/**
 * Routes by which a network admin operates the engine for every dealer: a run may rightly start
 * journeys and write messages in B's room, so the network admin's sweep leaves them out.
 */
const NETWORK_ADMIN_OPERATES = ['POST /api/runs'];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every caller of the fixture except dealer B's own; checked against `net.callers` below. */
const CALLERS = ['network-admin', 'brand-admin', 'dealer-admin A', 'dealer-user A', 'api-key A'];

/** Walks express 5's router (app.router; express 4 called it _router) for every route and method. */
function discoverRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance();
  const router = express.router ?? express._router;
  const routes: Route[] = [];
  for (const layer of router.stack as { route?: { path: unknown; methods: Record<string, boolean> } }[]) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      if (typeof path !== 'string') throw new Error(`route path is not a string: ${String(path)}`);
      for (const method of Object.keys(layer.route.methods).filter((m) => METHODS.includes(m))) {
        routes.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return routes;
}

describe('isolation sweep: nobody but dealer B reads or changes dealer B', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let routes: Route[];
  let dealerTables: { name: string; rls: boolean }[];
  /** Strings that may only ever be seen by dealer B: its records' ids, names, emails, its key. */
  let markers: string[];
  let serial = 0;

  beforeAll(async () => {
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    const b = { 'X-Api-Key': net.dealerB.apiKey };
    const room = `/api/dealers/${net.dealerB.id}`;
    const setup = [
      t.http().put(`${room}/vehicles/V2`).set(b).send({ customerExternalId: 'C1', brandId: net.brands[1].id, licensePlate: 'BQ-77-XZ', vin: 'WVWZZZ1JZXW000777', model: 'Secretmodel B' }),
      t.http().put(`${room}/customers/C2`).set(b).send({ kind: 'company', companyName: 'Bfleet GmbH', email: 'fleet@bfleet.test', phone: '+4930123456789' }),
      t.http().put(`${room}/appointments/AP1`).set(b).send({ vehicleExternalId: 'V1', type: 'inspection', startsAt: '2027-01-10T09:00:00Z', status: 'booked' }),
      t.http().post(`${room}/customers/C1/consents`).set(b).send({ channel: 'email', purpose: 'marketing', granted: true, source: 'b-desk', at: '2026-05-01T10:00:00Z' }),
      t.http().post(`${room}/events`).set(b).send({ customerExternalId: 'C1', type: 'test-drive', externalId: 'EV-B1', properties: { note: 'b-private-note' } }),
    ];
    const templates = await t.http().get('/api/templates?service=inspection-reminder&channel=email&locale=de').set('Authorization', `Bearer ${net.dealerB.adminToken}`);
    const invite = templates.body.items.find((i: { key: string }) => i.key === 'inspection-reminder/invite');
    setup.push(t.http().put(`${room}/template-slots/${invite.id}`).set('Authorization', `Bearer ${net.dealerB.adminToken}`).send({ slots: { signature: 'b-signature-secret' } }));
    for (const request of setup) {
      const res = await request;
      if (res.status >= 300) throw new Error(`setup of dealer B: ${res.status} ${JSON.stringify(res.body)}`);
    }
    routes = discoverRoutes(t);
    dealerTables = await t.ownerQuery(dealerTablesQuery);
    const ids: string[] = [];
    for (const table of dealerTables.filter((d) => d.rls)) {
      const rows = await t.ownerQuery<{ id: unknown }>(`SELECT * FROM ${table.name} WHERE dealer_id = $1`, [net.dealerB.id]);
      ids.push(...rows.map((r) => r.id).filter((id): id is string => typeof id === 'string'));
    }
    const [key] = await t.ownerQuery<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE dealer_id = $1', [net.dealerB.id]);
    markers = [
      ...ids,
      'Room dealer-b', 'anna@dealer-b.test', 'Bfleet', 'fleet@bfleet.test', '+4930123456789', 'BQ77XZ', 'WVWZZZ1JZXW000777',
      'Secretmodel B', 'b-desk', 'b-private-note', 'EV-B1', 'b-signature-secret', net.dealerB.apiKey, key.key_hash,
    ];
  });
  afterAll(() => t?.close());

  /** A path's parameters filled with dealer B's ids (or `dealerId` with the caller's own dealer). */
  async function fill(path: string, dealerId: string): Promise<string> {
    const segments = path.split('/');
    const filled: string[] = [];
    for (const [i, segment] of segments.entries()) {
      const param = /^:(\w+)$/.exec(segment)?.[1];
      // A catch-all (`*path`, the studio's client routes) takes any segment.
      if (/^\*\w+$/.test(segment)) filled.push('sweep');
      else filled.push(param ? encodeURIComponent(await valueFor(param, segments[i - 1], dealerId)) : segment);
    }
    const url = filled.join('/');
    if (/[:*{]/.test(url)) throw new Error(`cannot fill every parameter of ${path}`);
    return url;
  }

  async function valueFor(param: string, before: string, dealerId: string): Promise<string> {
    if (param === 'dealerId') return dealerId;
    if (param === 'customerExternalId') return 'C1';
    if (param === 'externalId') return { vehicles: 'V1', appointments: 'AP1' }[before] ?? 'C1';
    if (param === 'brandId') return net.brands[1].id;
    if (param === 'serviceKey') return 'inspection-reminder';
    if (/Id$/.test(param)) return (await recordOfB(param)) ?? randomUUID();
    return 'sweep';
  }

  /** `keyId` → an API key of B; `entryId` → a row of B in call_list_entries, `batchId` in letter_batches…; else undefined. */
  async function recordOfB(param: string): Promise<string | undefined> {
    const noun = param.replace(/Id$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const plurals = noun === 'key' ? ['api_keys'] : [`${noun}s`, `${noun}es`, `${noun.replace(/y$/, '')}ies`];
    const table = dealerTables.find((d) => plurals.some((p) => d.name === p || d.name.endsWith(`_${p}`)));
    if (!table) return undefined;
    const rows = await t.ownerQuery<{ id: string }>(`SELECT id::text FROM ${table.name} WHERE dealer_id = $1 LIMIT 1`, [net.dealerB.id]).catch(() => []);
    return rows[0]?.id;
  }

  /** A body that would write if the wall were missing; {} where the route is not known to this sweep. */
  function bodyFor(route: Route): unknown {
    serial += 1;
    const last = route.path.split('/').filter((s) => !s.startsWith(':')).pop();
    const bodies: Record<string, unknown> = {
      customers: { kind: 'person', firstName: 'Mallory', lastName: 'Sweep', email: 'mallory@sweep.test' },
      vehicles: { customerExternalId: 'C1', brandId: net.brands[0].id, licensePlate: 'SW-EE-99', mileageKm: 1 },
      consents: { channel: 'all', purpose: 'all', granted: false, source: 'sweep' },
      appointments: { vehicleExternalId: 'V1', type: 'other', startsAt: '2027-03-01T08:00:00Z', status: 'cancelled' },
      events: { customerExternalId: 'C1', type: 'sweep', properties: { by: 'sweep' } },
      'api-keys': { name: 'sweep' },
      imports: [{ externalId: 'C1', kind: 'person', firstName: 'Mallory', lastName: 'Sweep' }],
      users: { email: `sweep-${serial}@sweep.test`, password: 'sweep-password-1', role: 'dealer-admin', dealerId: net.dealerB.id },
      services: route.path.includes('/brands/') ? { mode: 'optional', subsidyPercent: 10 } : { enabled: false, monthlyBudgetCents: 1 },
      runs: { asOf: '2026-06-01', dealerIds: [net.dealerB.id] },
      outcome: { outcome: 'no-answer' },
      'template-slots': { slots: { intro: 'sweep' } },
      dealers: route.method === 'POST'
        ? { key: `sweep-${serial}`, name: 'Sweep', brandIds: [net.brands[1].id], timezone: 'Europe/Berlin', locale: 'de' }
        : { name: 'Swept', email: 'swept@sweep.test' },
      brands: route.method === 'POST' ? { key: `sweep-${serial}`, name: 'Sweep', theme: { primaryColor: '#123456' } } : { name: 'Swept' },
    };
    return bodies[last ?? ''] ?? {};
  }

  async function snapshot(tables: { name: string }[], dealerRow: boolean): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const table of tables) {
      const rows = await t.ownerQuery(`SELECT * FROM ${table.name} WHERE dealer_id = $1`, [net.dealerB.id]);
      out[table.name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    if (dealerRow) out.dealers = (await t.ownerQuery('SELECT * FROM dealers WHERE id = $1', [net.dealerB.id])).map((r) => JSON.stringify(r));
    return out;
  }

  async function call(caller: string, route: Route, url: string): Promise<Call & { text: string }> {
    let request = t.http()[route.method.toLowerCase() as 'get'](route.path.includes('/imports') ? `${url}?type=customers` : url);
    request = request.set(net.callers[caller]);
    if (route.method !== 'GET' && route.method !== 'DELETE') request = request.send(bodyFor(route) as object);
    const res = await request.buffer(true).parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
    return { caller, method: route.method, url, status: res.status, text: (res.body as Buffer).toString('latin1') };
  }

  it('discovers the routes from the running app, and sweeps with every caller of the fixture', () => {
    expect(Object.keys(net.callers).sort()).toEqual([...CALLERS].sort());
    expect(routes.length).toBeGreaterThanOrEqual(30);
    expect(routes).toContainEqual({ method: 'GET', path: '/api/dealers/:dealerId/customers' });
    expect(routes).toContainEqual({ method: 'DELETE', path: '/api/dealers/:dealerId/customers/:externalId' });
    expect(routes).toContainEqual({ method: 'POST', path: '/api/dealers/:dealerId/api-keys' });
  });

  it("sees dealer B's records through B's own key (so the sweep would notice a leak)", async () => {
    const res = await t.http().get(`/api/dealers/${net.dealerB.id}/customers`).set('X-Api-Key', net.dealerB.apiKey);
    expect(res.status).toBe(200);
    expect(markers.some((m) => JSON.stringify(res.body).includes(m))).toBe(true);
  });

  for (const caller of CALLERS) {
    it(`${caller}: no route shows or changes dealer B's records`, async () => {
      const ownDealer = caller.endsWith(' A') ? net.dealerA.id : undefined;
      const watched = caller === 'network-admin' ? dealerTables.filter((d) => !NETWORK_ADMIN_MAY_CHANGE(d)) : dealerTables;
      expect(watched.map((d) => d.name)).toEqual(expect.arrayContaining(['customers', 'vehicles', 'consents', 'appointments', 'events', 'api_keys']));
      const tables = watched.filter((d) => d.name !== 'audit_log');
      const before = await snapshot(tables, caller !== 'network-admin');
      const calls: (Call & { text: string })[] = [];
      for (const route of routes) {
        if (caller === 'network-admin' && NETWORK_ADMIN_OPERATES.includes(`${route.method} ${route.path}`)) continue;
        calls.push(await call(caller, route, await fill(route.path, net.dealerB.id)));
        // Own dealer in the path, ids of B's records in the rest: the wall must also hold inside a room.
        if (ownDealer && route.path.includes(':dealerId') && /:(?!dealerId\b|externalId\b|customerExternalId\b)\w+Id\b/.test(route.path)) {
          calls.push(await call(caller, route, await fill(route.path, ownDealer)));
        }
      }
      // Error answers count too: a problem's detail must not quote another dealer's record either.
      const leaks = calls.flatMap((c) => markers.filter((m) => c.text.includes(m)).map((m) => `${c.method} ${c.url} → ${c.status} shows ${m}`));
      expect(leaks).toEqual([]);
      const failures = calls.filter((c) => c.status >= 500).map((c) => `${c.method} ${c.url} → ${c.status} ${c.text.slice(0, 200)}`);
      expect(failures).toEqual([]);
      if (ownDealer) {
        // A dealer's people and keys get nothing at all under another dealer's id.
        const opened = calls.filter((c) => c.url.includes(net.dealerB.id) && c.status < 400).map((c) => `${c.method} ${c.url} → ${c.status}`);
        expect(opened).toEqual([]);
      }
      const after = await snapshot(tables, caller !== 'network-admin');
      expect(after).toEqual(before);
    });
  }
});
