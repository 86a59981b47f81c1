import { LinkTokens } from '../apps/host/src/rendering/link-tokens';
import { WebhookDeliveryWorker } from '../apps/host/src/webhooks/webhook-delivery.worker';
import { verifyWebhook } from '../apps/host/src/webhooks/webhook.signature';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';
import { closedPort, Received, sleep, WebhookReceiver } from './support/webhook-receiver';

/**
 * Consent changes reach the dealer's CRM: signed, with an event id, retried with backoff, at least
 * once (also when the worker delivering one stalls past its lease), never to another dealer.
 */
describe('consent webhooks', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let receiver: WebhookReceiver;
  let worker: WebhookDeliveryWorker;
  let keyA: Record<string, string>;
  let keyB: Record<string, string>;
  let roomA: string;
  let roomB: string;
  const created: { room: string; id: string; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // The receiver listens on loopback, which endpoints may only reach with FORECOURT_WEBHOOK_ALLOW_PRIVATE.
    t = await startTestApp({ ...FIXTURE_ENV, FORECOURT_WEBHOOK_RETRY_BASE_MS: '200', FORECOURT_WEBHOOK_ALLOW_PRIVATE: '1' });
    net = await createNetwork(t);
    worker = t.app.get(WebhookDeliveryWorker);
    worker.configure({ pollMs: 200, recoverEveryMs: 200 });
    keyA = { 'X-Api-Key': net.dealerA.apiKey };
    keyB = { 'X-Api-Key': net.dealerB.apiKey };
    roomA = `/api/dealers/${net.dealerA.id}`;
    roomB = `/api/dealers/${net.dealerB.id}`;
    for (const [room, key] of [[roomA, keyA], [roomB, keyB]] as const) {
      const res = await t.http().put(`${room}/customers/C2`).set(key).send({ kind: 'person', lastName: 'Hook' });
      if (res.status >= 300) throw new Error(`setup: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // A's CRM also polls: every change of A's is in its feed, with or without an endpoint at the time.
    const feed = await t.http().put(`${roomA}/consent-events/feed`).set(keyA).send({ enabled: true });
    if (feed.status !== 200) throw new Error(`setup: feed ${feed.status} ${JSON.stringify(feed.body)}`);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  /** An endpoint on the receiver at `path`; deleted after its test so later events do not reach it. */
  const endpoint = async (room: string, headers: Record<string, string>, path: string, extra: object = {}) => {
    const res = await t.http().post(`${room}/webhooks`).set(headers).send({ url: `${receiver.url}${path}`, ...extra });
    expect(res.status).toBe(201);
    created.push({ room, id: res.body.id, headers });
    return res.body as { id: string; secret: string; url: string; events: string[] };
  };
  afterEach(async () => {
    for (const e of created.splice(0)) await t.http().delete(`${e.room}/webhooks/${e.id}`).set(e.headers);
  });

  const consent = (room: string, key: Record<string, string>, customer: string, body: object) =>
    t.http().post(`${room}/customers/${customer}/consents`).set(key).send(body);
  const deliveries = async (room: string, key: Record<string, string>, id: string) => {
    const res = await t.http().get(`${room}/webhooks/${id}/deliveries`).set(key);
    expect(res.status).toBe(200);
    return res.body as Record<string, any>[];
  };
  const waitForDelivery = async (room: string, key: Record<string, string>, id: string, status: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const list = await deliveries(room, key, id);
      if (list.length && list.every((d) => d.status === status)) return list;
      if (Date.now() > deadline) throw new Error(`deliveries not ${status}: ${JSON.stringify(list)}`);
      await sleep(50);
    }
  };
  const verify = (secret: string, r: Received, body = r.body) =>
    verifyWebhook(secret, r.headers['x-forecourt-signature'] as string, r.headers['x-forecourt-timestamp'] as string, body);

  describe('endpoints', () => {
    it('shows the signing secret once, lists endpoints without it, and names a bad url', async () => {
      const made = await endpoint(roomA, bearer(net.dealerA.adminToken), '/once', { description: 'CRM sync' });
      expect(made).toMatchObject({ id: expect.any(String), url: `${receiver.url}/once`, events: ['consent.changed'], description: 'CRM sync' });
      expect(made.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const list = await t.http().get(`${roomA}/webhooks`).set(bearer(net.dealerA.userToken));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([expect.objectContaining({ id: made.id, url: made.url })]);
      expect(JSON.stringify(list.body)).not.toContain(made.secret);
      expect(list.body[0].secret).toBeUndefined();
      const stored = await t.ownerQuery<{ secret_sealed: string }>('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [made.id]);
      expect(stored[0].secret_sealed).toMatch(/^v1:/);
      expect(stored[0].secret_sealed).not.toContain(made.secret);

      for (const [url, message] of [
        ['ftp://crm.example.com/hook', 'must use http or https'],
        ['not a url', 'must be an absolute http or https URL'],
        ['https://user:pw@crm.example.com/hook', 'must not contain a user name or password'],
      ]) {
        const bad = await t.http().post(`${roomA}/webhooks`).set(keyA).send({ url });
        expect(bad.status).toBe(400);
        expect(bad.body.errors).toEqual([{ field: 'url', message }]);
      }
      const badEvents = await t.http().post(`${roomA}/webhooks`).set(keyA).send({ url: `${receiver.url}/x`, events: ['consent.deleted'] });
      expect(badEvents.status).toBe(400);
      expect(badEvents.body.errors[0].field).toBe('events');
      const missing = await t.http().post(`${roomA}/webhooks`).set(keyA).send({});
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('url');
    });

    it("refuses endpoints in the server's own network unless FORECOURT_WEBHOOK_ALLOW_PRIVATE is set", async () => {
      const closed = await startTestApp(FIXTURE_ENV);
      try {
        const other = await createNetwork(closed);
        const room = `/api/dealers/${other.dealerA.id}/webhooks`;
        for (const url of ['http://127.0.0.1:8080/crm', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/crm', 'http://localhost/crm', 'https://10.1.2.3/crm']) {
          const res = await closed.http().post(room).set('X-Api-Key', other.dealerA.apiKey).send({ url });
          expect([url, res.status]).toEqual([url, 400]);
          expect(res.body.errors).toEqual([expect.objectContaining({ field: 'url', message: expect.stringContaining("server's own network") })]);
        }
        const open = await closed.http().post(room).set('X-Api-Key', other.dealerA.apiKey).send({ url: 'https://crm.example.com/hooks/forecourt' });
        expect(open.status).toBe(201);
      } finally {
        await closed.close();
      }
    });

    it('lets dealer admins, API keys and network admins manage, dealer users read, brand admins nothing', async () => {
      const user = await t.http().post(`${roomA}/webhooks`).set(bearer(net.dealerA.userToken)).send({ url: `${receiver.url}/user` });
      expect(user.status).toBe(403);
      const brand = await t.http().get(`${roomA}/webhooks`).set(bearer(net.brandAdminToken));
      expect(brand.status).toBe(403);
      const byNetwork = await endpoint(roomA, bearer(net.adminToken), '/network');
      const byKey = await endpoint(roomA, keyA, '/key');
      const userDelete = await t.http().delete(`${roomA}/webhooks/${byKey.id}`).set(bearer(net.dealerA.userToken));
      expect(userDelete.status).toBe(403);
      expect((await t.http().get(`${roomA}/webhooks`).set(bearer(net.adminToken))).body.map((e: { id: string }) => e.id)).toEqual([byNetwork.id, byKey.id]);
    });

    it('keeps dealers apart: B cannot list, delete, rotate or read deliveries of A’s endpoints (404)', async () => {
      const a = await endpoint(roomA, keyA, '/walled');
      for (const headers of [keyB, bearer(net.dealerB.adminToken)]) {
        expect((await t.http().get(`${roomA}/webhooks`).set(headers)).status).toBe(404);
        expect((await t.http().delete(`${roomA}/webhooks/${a.id}`).set(headers)).status).toBe(404);
        expect((await t.http().post(`${roomA}/webhooks/${a.id}/rotate-secret`).set(headers)).status).toBe(404);
        expect((await t.http().get(`${roomA}/webhooks/${a.id}/deliveries`).set(headers)).status).toBe(404);
        // Through B's own room, A's endpoint id is not there either.
        expect((await t.http().delete(`${roomB}/webhooks/${a.id}`).set(headers)).status).toBe(404);
        expect((await t.http().get(`${roomB}/webhooks/${a.id}/deliveries`).set(headers)).status).toBe(404);
      }
      expect((await t.http().get(`${roomA}/webhooks`).set(keyA)).body).toHaveLength(1);
    });
  });

  describe('deliveries', () => {
    it('sends a consent from the API, signed, with its event id, to its own dealer only', async () => {
      const a = await endpoint(roomA, keyA, '/crm-a');
      const b = await endpoint(roomB, keyB, '/crm-b');
      // With polls ten seconds apart, only the NOTIFY after the commit brings it within a second.
      worker.configure({ pollMs: 10_000, recoverEveryMs: 10_000 });
      await sleep(300);
      const started = Date.now();
      const posted = await consent(roomA, keyA, 'C1', { channel: 'email', purpose: 'marketing', vehicleExternalId: 'V1', granted: false, source: 'crm', at: '2026-03-01T10:00:00Z' });
      expect(posted.status).toBe(201);
      const [got] = await receiver.waitFor('/crm-a', 1).finally(() => worker.configure({ pollMs: 200, recoverEveryMs: 200 }));
      expect(got.at - started).toBeLessThan(1000);
      const payload = JSON.parse(got.body);
      expect(payload).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        type: 'consent.changed',
        createdAt: expect.any(String),
        dealerId: net.dealerA.id,
        data: { customerExternalId: 'C1', vehicleExternalId: 'V1', channel: 'email', purpose: 'marketing', granted: false, source: 'crm', actedAt: '2026-03-01T10:00:00.000Z' },
      });
      // Ids and the statement only: nothing of the person (the fixture's customer is "Anna Room dealer-a").
      expect(got.body).not.toMatch(/Anna|Room|@/);
      expect(got.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'Forecourt-Webhooks',
        'x-forecourt-event-id': payload.id,
        'x-forecourt-event-type': 'consent.changed',
      });
      expect(Math.abs(Number(got.headers['x-forecourt-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
      expect(verify(a.secret, got)).toBe(true);
      expect(verify(a.secret, got, got.body.replace('"granted":false', '"granted":true'))).toBe(false);
      expect(verify(b.secret, got)).toBe(false);

      const [delivery] = await waitForDelivery(roomA, keyA, a.id, 'delivered');
      expect(delivery).toMatchObject({ eventId: payload.id, eventType: 'consent.changed', status: 'delivered', attempts: 1, lastHttpStatus: 200, lastError: null, nextAttemptAt: null });
      // B's endpoint gets B's events alone.
      await consent(roomB, keyB, 'C1', { channel: 'sms', purpose: 'service', granted: true, source: 'crm', at: '2026-03-01T11:00:00Z' });
      const [fromB] = await receiver.waitFor('/crm-b', 1);
      expect(JSON.parse(fromB.body)).toMatchObject({ dealerId: net.dealerB.id, data: { channel: 'sms' } });
      expect(verify(b.secret, fromB)).toBe(true);
      await sleep(300);
      expect(receiver.on('/crm-a')).toHaveLength(1);
      expect(receiver.on('/crm-b')).toHaveLength(1);
      expect(await deliveries(roomA, keyA, a.id)).toHaveLength(1);
    });

    it('sends one event per imported row, in order, and none for an unchanged re-import', async () => {
      const a = await endpoint(roomA, keyA, '/import');
      const rows = JSON.stringify(
        ['email', 'sms', 'letter', 'phone'].map((channel, i) => ({
          customerExternalId: i % 2 ? 'C2' : 'C1', channel, purpose: 'service', granted: i % 2 === 0, source: 'dms-import', at: `2026-02-0${i + 1}T08:00:00Z`,
        })),
      );
      const imported = await t.http().post(`${roomA}/imports?type=consents`).set(keyA).set('Content-Type', 'application/json').send(rows);
      expect(imported.body).toMatchObject({ created: 4, unchanged: 0, failed: 0 });
      const got = await receiver.waitFor('/import', 4);
      const events = got.map((r) => JSON.parse(r.body));
      expect(events.map((e) => e.data.channel)).toEqual(['email', 'sms', 'letter', 'phone']);
      expect(events.map((e) => e.data.customerExternalId)).toEqual(['C1', 'C2', 'C1', 'C2']);
      expect(new Set(events.map((e) => e.id)).size).toBe(4);
      expect([...events.map((e) => e.id)].sort()).toEqual(events.map((e) => e.id));
      for (const r of got) expect(verify(a.secret, r)).toBe(true);

      const again = await t.http().post(`${roomA}/imports?type=consents`).set(keyA).set('Content-Type', 'application/json').send(rows);
      expect(again.body).toMatchObject({ created: 0, unchanged: 4 });
      await sleep(800);
      expect(receiver.on('/import')).toHaveLength(4);
      expect(await deliveries(roomA, keyA, a.id)).toHaveLength(4);
    });

    it('retries a receiver answering 500 twice with growing delays, the same event id each time', async () => {
      receiver.answers.set('/flaky', (_, nth) => (nth <= 2 ? 500 : 200));
      const a = await endpoint(roomA, keyA, '/flaky');
      await consent(roomA, keyA, 'C2', { channel: 'email', purpose: 'marketing', granted: true, source: 'crm', at: '2026-03-02T10:00:00Z' });
      const got = await receiver.waitFor('/flaky', 3);
      const ids = got.map((r) => r.headers['x-forecourt-event-id']);
      expect(new Set(ids).size).toBe(1);
      expect(new Set(got.map((r) => r.body)).size).toBe(1);
      for (const r of got) expect(verify(a.secret, r)).toBe(true);
      const [first, second] = [got[1].at - got[0].at, got[2].at - got[1].at];
      // Base 200 ms: about 200 ms (±20%), then about 800 ms.
      expect(first).toBeGreaterThanOrEqual(150);
      expect(second).toBeGreaterThanOrEqual(600);
      expect(second).toBeGreaterThan(first);
      const [delivery] = await waitForDelivery(roomA, keyA, a.id, 'delivered');
      expect(delivery).toMatchObject({ eventId: ids[0], attempts: 3, lastHttpStatus: 200 });
    });

    it('records retries to a receiver that is down and ends `failed` with the error', async () => {
      const defaults = worker.settings.maxAttempts;
      worker.configure({ maxAttempts: 3 });
      try {
        const port = await closedPort();
        const res = await t.http().post(`${roomA}/webhooks`).set(keyA).send({ url: `http://127.0.0.1:${port}/down` });
        created.push({ room: roomA, id: res.body.id, headers: keyA });
        await consent(roomA, keyA, 'C2', { channel: 'sms', purpose: 'marketing', granted: false, source: 'crm', at: '2026-03-03T10:00:00Z' });
        const pending = await (async () => {
          for (let i = 0; i < 200; i++) {
            const [d] = await deliveries(roomA, keyA, res.body.id);
            if (d?.attempts === 1) return d;
            await sleep(20);
          }
          throw new Error('no first attempt');
        })();
        expect(pending).toMatchObject({ status: 'pending', lastError: expect.stringContaining('ECONNREFUSED'), nextAttemptAt: expect.any(String) });
        const [failed] = await waitForDelivery(roomA, keyA, res.body.id, 'failed');
        expect(failed).toMatchObject({ attempts: 3, lastHttpStatus: null, lastError: expect.stringContaining('ECONNREFUSED'), nextAttemptAt: null, deliveredAt: null });
        const health = await t.http().get('/health');
        expect(health.body.webhooks).toMatchObject({ status: 'up', thisProcess: expect.objectContaining({ failed: expect.any(Number) }) });
        expect(health.body.webhooks.thisProcess.failed).toBeGreaterThanOrEqual(1);
      } finally {
        worker.configure({ maxAttempts: defaults });
      }
    });

    it('delivers again when the worker sending it stalls past its lease (at least once)', async () => {
      const defaults = worker.settings.leaseMs;
      worker.configure({ leaseMs: 1_000 });
      try {
        receiver.answers.set('/stall', (_, nth) => (nth === 1 ? 'hang' : 200));
        const a = await endpoint(roomA, keyA, '/stall');
        await consent(roomA, keyA, 'C1', { channel: 'letter', purpose: 'marketing', granted: true, source: 'crm', at: '2026-03-04T10:00:00Z' });
        const got = await receiver.waitFor('/stall', 2);
        expect(got[1].headers['x-forecourt-event-id']).toBe(got[0].headers['x-forecourt-event-id']);
        expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(900);
        expect(verify(a.secret, got[1])).toBe(true);
        const [delivery] = await waitForDelivery(roomA, keyA, a.id, 'delivered');
        // The attempt without an outcome counts; the delivery ends delivered, once in the ledger of attempts.
        expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastHttpStatus: 200 });
      } finally {
        worker.configure({ leaseMs: defaults });
      }
    });

    it('takes back at once, without waiting for the lease, a claim whose worker process is gone', async () => {
      const a = await endpoint(roomA, keyA, '/orphan');
      await worker.stop();
      try {
        await consent(roomA, keyA, 'C1', { channel: 'phone', purpose: 'marketing', granted: false, source: 'crm', at: '2026-03-05T10:00:00Z' });
        // What a worker killed after its claim leaves behind: the claim, with the key of a lock no connection holds.
        const orphaned = await t.ownerQuery(
          `UPDATE webhook_queue SET claimed_by = 'killed-worker', claim_id = gen_random_uuid(), claim_key = 12345, claimed_at = now()
            WHERE endpoint_id = $1 RETURNING delivery_id`,
          [a.id],
        );
        expect(orphaned).toHaveLength(1);
      } finally {
        await worker.start();
      }
      expect(worker.settings.leaseMs).toBe(60_000);
      const [got] = await receiver.waitFor('/orphan', 1, 5_000);
      expect(verify(a.secret, got)).toBe(true);
      const [delivery] = await waitForDelivery(roomA, keyA, a.id, 'delivered');
      expect(delivery).toMatchObject({ attempts: 2, lastHttpStatus: 200 });
    });

    it('rotates the secret: the old one stops verifying, a test event is signed with the new one', async () => {
      const a = await endpoint(roomA, bearer(net.dealerA.adminToken), '/rotate');
      const rotated = await t.http().post(`${roomA}/webhooks/${a.id}/rotate-secret`).set(keyA);
      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ id: a.id, secret: expect.stringMatching(/^whsec_/) });
      expect(rotated.body.secret).not.toBe(a.secret);
      const test = await t.http().post(`${roomA}/webhooks/${a.id}/test`).set(keyA);
      expect(test.status).toBe(202);
      const [got] = await receiver.waitFor('/rotate', 1);
      expect(JSON.parse(got.body)).toMatchObject({ id: test.body.eventId, type: 'webhook.test', dealerId: net.dealerA.id, data: { webhookId: a.id } });
      expect(got.headers['x-forecourt-event-type']).toBe('webhook.test');
      expect(verify(rotated.body.secret, got)).toBe(true);
      expect(verify(a.secret, got)).toBe(false);
      expect((await t.http().post(`${roomA}/webhooks/${a.id}/rotate-secret`).set(bearer(net.dealerA.userToken))).status).toBe(403);
    });
  });

  describe('from the preference center', () => {
    it('sends a one-click unsubscribe as a change with source one-click-unsubscribe', async () => {
      const a = await endpoint(roomA, keyA, '/one-click');
      // An email that went out to C1 (its unsubscribe link is all the one-click needs).
      const [message] = await t.ownerQuery<{ id: string }>(
        `INSERT INTO messages (dealer_id, customer_id, channel, template, locale, brand_id, recipient, dedupe_key, status)
         SELECT $1, id, 'email', 'inspection-reminder', 'nl', $2, '{}', 'webhooks-one-click', 'sent' FROM customers WHERE dealer_id = $1 AND external_id = 'C1'
         RETURNING id`,
        [net.dealerA.id, net.brands[0].id],
      );
      const token = t.app.get(LinkTokens).sign('unsubscribe', { dealerId: net.dealerA.id, messageId: message.id });
      const res = await t.http().post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
      expect(res.status).toBe(200);
      const [got] = await receiver.waitFor('/one-click', 1);
      expect(JSON.parse(got.body)).toMatchObject({
        type: 'consent.changed',
        dealerId: net.dealerA.id,
        data: { customerExternalId: 'C1', vehicleExternalId: null, channel: 'email', purpose: 'all', granted: false, source: 'one-click-unsubscribe' },
      });
      expect(verify(a.secret, got)).toBe(true);
      // The same one-click again changes nothing, so nothing is sent.
      expect((await t.http().post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click')).status).toBe(200);
      await sleep(500);
      expect(receiver.on('/one-click')).toHaveLength(1);
    });
  });

  describe('pull feed', () => {
    it('records nothing for a dealer without endpoints until its feed is switched on', async () => {
      const eventsOfB = async () =>
        (await t.ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events WHERE dealer_id = $1', [net.dealerB.id]))[0].n;
      expect((await t.http().get(`${roomB}/webhooks`).set(keyB)).body).toEqual([]);
      const before = await eventsOfB();
      expect((await consent(roomB, keyB, 'C2', { channel: 'email', purpose: 'service', granted: false, source: 'crm', at: '2026-04-01T10:00:00Z' })).status).toBe(201);
      expect(await eventsOfB()).toBe(before);
      expect((await t.http().get(`${roomB}/consent-events/feed`).set(bearer(net.dealerB.userToken))).body).toEqual({ dealerId: net.dealerB.id, enabled: false, enabledAt: null });
      expect((await t.http().put(`${roomB}/consent-events/feed`).set(bearer(net.dealerB.userToken)).send({ enabled: true })).status).toBe(403);
      const bad = await t.http().put(`${roomB}/consent-events/feed`).set(keyB).send({ enabled: 'yes' });
      expect(bad.body.errors).toEqual([{ field: 'enabled', message: expect.stringContaining('boolean') }]);
      const on = await t.http().put(`${roomB}/consent-events/feed`).set(keyB).send({ enabled: true });
      expect(on.body).toMatchObject({ enabled: true, enabledAt: expect.any(String) });
      expect((await consent(roomB, keyB, 'C2', { channel: 'sms', purpose: 'service', granted: false, source: 'crm', at: '2026-04-01T11:00:00Z' })).status).toBe(201);
      expect(await eventsOfB()).toBe(before + 1);
      const feed = (await t.http().get(`${roomB}/consent-events`).query({ limit: 1000 }).set(keyB)).body.events;
      expect(feed[feed.length - 1]).toMatchObject({ dealerId: net.dealerB.id, data: { customerExternalId: 'C2', channel: 'sms', source: 'crm' } });
      expect((await t.http().put(`${roomB}/consent-events/feed`).set(keyB).send({ enabled: false })).body).toMatchObject({ enabled: false });
    });

    it('pages through every consent event in id order, after a cursor, per dealer', async () => {
      const all: { id: string; dealerId: string; type: string }[] = [];
      let after: string | undefined;
      for (let page = 0; page < 50; page++) {
        const res = await t.http().get(`${roomA}/consent-events`).query({ limit: 3, ...(after ? { after } : {}) }).set(keyA);
        expect(res.status).toBe(200);
        expect(res.body.events.length).toBeLessThanOrEqual(3);
        all.push(...res.body.events);
        if (!res.body.hasMore) break;
        after = res.body.next;
      }
      const ledger = await t.ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM consents WHERE dealer_id = $1', [net.dealerA.id]);
      expect(all).toHaveLength(ledger[0].n);
      expect(all.length).toBeGreaterThanOrEqual(8);
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      expect([...all.map((e) => e.id)].sort()).toEqual(all.map((e) => e.id));
      for (const e of all) expect(e).toMatchObject({ dealerId: net.dealerA.id, type: 'consent.changed' });
      // The test events are not consent changes.
      expect(all.some((e) => e.type === 'webhook.test')).toBe(false);

      const tail = await t.http().get(`${roomA}/consent-events`).query({ after: all[all.length - 1].id }).set(keyA);
      expect(tail.body).toEqual({ events: [], next: all[all.length - 1].id, hasMore: false });
      const fromB = await t.http().get(`${roomB}/consent-events`).set(keyB);
      expect(fromB.body.events.every((e: { dealerId: string }) => e.dealerId === net.dealerB.id)).toBe(true);
      expect((await t.http().get(`${roomA}/consent-events`).set(keyB)).status).toBe(404);
      expect((await t.http().get(`${roomA}/consent-events`).set(bearer(net.brandAdminToken))).status).toBe(403);
      const bad = await t.http().get(`${roomA}/consent-events`).query({ after: 'yesterday', limit: 0 }).set(keyA);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['after', 'limit']);
    });

    it('forgets the events of an erased customer, and their deliveries not made yet', async () => {
      const before = (await t.http().get(`${roomA}/consent-events`).query({ limit: 1000 }).set(keyA)).body.events as { data: { customerExternalId: string } }[];
      expect(before.some((e) => e.data.customerExternalId === 'C2')).toBe(true);
      expect((await t.http().delete(`${roomA}/customers/C2`).set(bearer(net.dealerA.adminToken))).status).toBe(204);
      const after = (await t.http().get(`${roomA}/consent-events`).query({ limit: 1000 }).set(keyA)).body.events as { data: { customerExternalId: string } }[];
      expect(after.some((e) => e.data.customerExternalId === 'C2')).toBe(false);
      expect(after).toHaveLength(before.filter((e) => e.data.customerExternalId !== 'C2').length);
      const left = await t.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE dealer_id = $1 AND data->>'customerExternalId' = 'C2'`, [net.dealerA.id]);
      expect(left[0].n).toBe(0);
    });
  });
});
