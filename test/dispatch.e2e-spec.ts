import type { ChannelClient } from '@forecourt/sdk';
import { createForecourtContext } from '../apps/host/src/app.factory';
import { loadConfig } from '../apps/host/src/config/forecourt-config';
import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { MessageStatusService } from '../apps/host/src/dispatch/message-status.service';
import { NewMessage } from '../apps/host/src/dispatch/message.types';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { PluginRegistry } from '../apps/host/src/plugin-host/plugin-registry.service';
import { DEFAULT_MAX_CONNECTIONS } from '../plugins/channel-email/src/email.channel';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

const CHANNEL = 'email';

interface Row {
  id: string;
  status: string;
  status_reason: string | null;
  attempts: number;
  provider_id: string | null;
  cost_cents: number;
  units: number | null;
  sandbox: boolean;
  sent_at: Date | null;
  subject: string | null;
}

describe('outbox and dispatch (real SMTP on loopback)', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let worker: DispatchWorker;
  let customerA: string;
  const saved = { SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM };

  const message = (to: string, extra: Partial<NewMessage> = {}): NewMessage => ({
    dedupeKey: `test:${to}`,
    channel: CHANNEL,
    template: 'inspection-reminder/invite',
    locale: 'nl',
    recipient: { name: `Klant ${to.split('@')[0]}`, email: to, locale: 'nl' },
    customerId: customerA,
    serviceKey: 'inspection-reminder',
    step: 'invite',
    data: { licensePlate: 'AB-12-CD' },
    ...extra,
  });

  const enqueue = (dealerId: string, messages: NewMessage[]) =>
    t.app.get(TenantDb).run(dealerId, (m) => t.app.get(OutboxService).enqueue(m, dealerId, messages));

  const row = async (id: string): Promise<Row> =>
    (await t.ownerQuery<Row>('SELECT id, status, status_reason, attempts, provider_id, cost_cents, units, sandbox, sent_at, subject FROM messages WHERE id = $1', [id]))[0];

  const queueRows = async (id: string) => (await t.ownerQuery('SELECT * FROM dispatch_queue WHERE message_id = $1', [id])).length;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // Channel settings come from host variables the plugin's schema names, read when a client is built.
    process.env.SMTP_URL = smtp.url;
    delete process.env.MAIL_FROM;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    // A dealer's own settings override the host's: dealer A pays a cent per email, dealer B's server gets a second to answer.
    for (const [dealer, settings] of [
      [net.dealerA, { pricePerEmailCents: 1 }],
      [net.dealerB, { timeoutSeconds: 1 }],
    ] as const) {
      const res = await t.http().put(`/api/dealers/${dealer.id}/plugins/channel-email`).set(bearer(dealer.adminToken)).send({ settings });
      expect(res.status).toBe(200);
    }
    worker = t.app.get(DispatchWorker);
    worker.configure({ retryBaseMs: 200, pollMs: 100 });
    [{ id: customerA }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1 AND external_id = 'C1'`, [net.dealerA.id]);
    await t.ownerQuery(`UPDATE dealers SET sender_name = 'Autohaus Vela', sender_email = 'service@vela.test' WHERE id = $1`, [net.dealerA.id]);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('discovers the email channel from plugins/', () => {
    expect(t.app.get(PluginRegistry).channel(CHANNEL)?.pluginId).toBe('channel-email');
  });

  it('writes a dedupe key once, however often it is enqueued', async () => {
    const once = message('once@a.test', { notBefore: new Date(Date.now() + 3600_000) });
    const [first] = await enqueue(net.dealerA.id, [once]);
    const again = await enqueue(net.dealerA.id, [once, { ...once, recipient: { ...once.recipient, name: 'Someone else' } }]);
    expect(first).toEqual({ dedupeKey: 'test:once@a.test', id: expect.any(String), created: true });
    expect(again).toEqual([
      { dedupeKey: 'test:once@a.test', id: first.id, created: false },
      { dedupeKey: 'test:once@a.test', id: first.id, created: false },
    ]);
    const rows = await t.ownerQuery(`SELECT id, status FROM messages WHERE dealer_id = $1 AND dedupe_key = 'test:once@a.test'`, [net.dealerA.id]);
    expect(rows).toEqual([{ id: first.id, status: 'queued' }]);
    expect(await queueRows(first.id)).toBe(1);
    // The same key in another dealer's outbox is another message.
    const [other] = await enqueue(net.dealerB.id, [{ ...once, customerId: null }]);
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(first.id);
  });

  it('claims, renders, sends and records: status, provider id, cost, headers', async () => {
    const before = smtp.received.length;
    const written = await enqueue(net.dealerA.id, ['anna@a.test', 'bert@a.test', 'carla@a.test'].map((to) => message(to)));
    const result = await worker.drain({ dealerIds: [net.dealerA.id] });
    expect(result.remaining).toBe(0);
    expect(smtp.received.length - before).toBe(3);
    for (const { id } of written) {
      const r = await row(id);
      expect(r).toMatchObject({ status: 'sent', status_reason: null, attempts: 1, provider_id: `<${id}@vela.test>`, cost_cents: 1, units: 1, sandbox: false });
      expect(r.sent_at).toBeInstanceOf(Date);
      expect(r.subject).toBeTruthy();
      expect(await queueRows(id)).toBe(0);
    }
    const mail = smtp.received.find((m) => m.to.includes('bert@a.test'))!;
    const parsed = await smtp.parse(mail);
    expect(parsed.messageId).toBe(`<${written[1].id}@vela.test>`);
    expect(parsed.from).toMatchObject({ name: 'Autohaus Vela', address: 'service@vela.test' });
    expect(mail.from).toBe('service@vela.test');
    expect(parsed.to).toEqual([expect.objectContaining({ name: 'Klant bert', address: 'bert@a.test' })]);
    expect(parsed.subject).toBe((await row(written[1].id)).subject);
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header('content-type')).toMatch(/^multipart\/alternative/);
    expect(header('list-unsubscribe')).toMatch(new RegExp(`^<${t.config.publicUrl}/u/[A-Za-z0-9_-]+>$`));
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(parsed.html).toContain('Klant bert');
    expect(parsed.html).toContain(`${t.config.publicUrl}/t/o/`);
    expect(parsed.text).toContain('Klant bert');
    expect(parsed.text).not.toContain('<');
    const refs = await t.ownerQuery(`SELECT message_id FROM provider_refs WHERE channel = $1 AND provider_id = $2`, [CHANNEL, `<${written[1].id}@vela.test>`]);
    expect(refs).toEqual([{ message_id: written[1].id }]);
  });

  it('retries a 4xx reply with backoff and then sends once', async () => {
    smtp.options = { reject: { 'busy@a.test': { code: 451, message: '4.3.0 Mailbox busy, try later', times: 1 } } };
    const [{ id }] = await enqueue(net.dealerA.id, [message('busy@a.test')]);
    const started = Date.now();
    const result = await worker.drain({ until: new Date(Date.now() + 5000) });
    expect(result.remaining).toBe(0);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'sent', attempts: 2, status_reason: null });
    expect(smtp.rcptReplies.filter((x) => x.to === 'busy@a.test').map((x) => x.code)).toEqual([451, 250]);
    expect(smtp.deliveriesByAddress().get('busy@a.test')).toBe(1);
    // The retry waited for its backoff (retryBaseMs 200, jitter ±50%).
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('fails a message on a permanent 5xx reply, with the reason, without retrying', async () => {
    smtp.options = { reject: { 'gone@a.test': { code: 550, message: '5.1.1 No such user here' } } };
    const [{ id }] = await enqueue(net.dealerA.id, [message('gone@a.test')]);
    await worker.drain({ until: new Date(Date.now() + 2000) });
    const r = await row(id);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.status_reason).toMatch(/550/);
    expect(r.status_reason).toMatch(/No such user/);
    expect(smtp.rcptReplies.filter((x) => x.to === 'gone@a.test')).toHaveLength(1);
    expect(await queueRows(id)).toBe(0);
  });

  it('records a timeout after DATA as unknown and never sends it again', async () => {
    smtp.options = { stallAfterData: ['stall@b.test'] };
    // Dealer B's SMTP timeout is one second (its own setting).
    const [{ id }] = await enqueue(net.dealerB.id, [message('stall@b.test', { customerId: null })]);
    await worker.drain({ until: new Date(Date.now() + 1000) });
    const r = await row(id);
    expect(r.status).toBe('unknown');
    expect(r.status_reason).toMatch(/timeout/i);
    expect(await queueRows(id)).toBe(0);
    // Later rounds, a recovery pass and a second drain leave it alone.
    smtp.options = {};
    await worker.recoverNow();
    await worker.drain({ until: new Date(Date.now() + 1000) });
    expect((await row(id)).status).toBe('unknown');
    expect(smtp.stalled.filter((m) => m.to.includes('stall@b.test'))).toHaveLength(1);
    expect(smtp.deliveriesByAddress().get('stall@b.test')).toBeUndefined();
  });

  it('never sends one message twice with two workers draining one backlog at once', async () => {
    const second = await createForecourtContext(
      loadConfig({ ...process.env, ...FIXTURE_ENV, FORECOURT_ROLE: 'worker', FORECOURT_DATA_DIR: t.config.dataDir, FORECOURT_SECRET: t.config.secret, FORECOURT_DEMO: '0' }),
      { database: { ownerUrl: t.ownerUrl, appUrl: t.appUrl, stop: async () => undefined } },
    );
    try {
      const other = second.context.get(DispatchWorker);
      other.configure({ retryBaseMs: 200, pollMs: 100 });
      const addresses = Array.from({ length: 400 }, (_, i) => `pair-${i}@a.test`);
      const before = smtp.received.length;
      const written = await enqueue(net.dealerA.id, addresses.map((to) => message(to)));
      const [one, two] = await Promise.all([worker.drain(), other.drain()]);
      expect(one.remaining + two.remaining).toBe(0);
      await smtp.waitFor(before + addresses.length);
      const counts = smtp.deliveriesByAddress();
      expect(addresses.filter((a) => counts.get(a) !== 1)).toEqual([]);
      expect(smtp.received.length - before).toBe(addresses.length);
      const statuses = await t.ownerQuery<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY status`,
        [written.map((w) => w.id)],
      );
      expect(statuses).toEqual([{ status: 'sent', n: addresses.length }]);
      const byWorker = await t.ownerQuery<{ claimed_by: string; n: number }>(
        `SELECT claimed_by, count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY claimed_by`,
        [written.map((w) => w.id)],
      );
      // Both took part (the first also has its background loop).
      expect(byWorker).toHaveLength(2);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('marks a message sending only when an SMTP connection is free or next in line, however much is claimed', async () => {
    // A slow server: each email takes 150 ms, so claimed messages queue up behind the pool's 5 connections.
    smtp.options = { dataDelayMs: 150 };
    const addresses = Array.from({ length: 40 }, (_, i) => `paced-${i}@a.test`);
    const written = await enqueue(net.dealerA.id, addresses.map((to) => message(to)));
    const ids = written.map((w) => w.id);
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const [{ n }] = await t.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) AND status = 'sending'`, [ids]);
        most = Math.max(most, n);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const result = await worker.drain({ dealerIds: [net.dealerA.id] });
      expect(result.remaining).toBe(0);
    } finally {
      watching = false;
      await watch;
      smtp.options = {};
    }
    // The worker has 20 under way; only the pool's connections and one marked ahead on each are `sending`.
    expect(worker.settings.concurrency).toBeGreaterThan(2 * DEFAULT_MAX_CONNECTIONS);
    expect(most).toBeGreaterThanOrEqual(DEFAULT_MAX_CONNECTIONS);
    expect(most).toBeLessThanOrEqual(2 * DEFAULT_MAX_CONNECTIONS);
    const statuses = await t.ownerQuery<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
    expect(statuses).toEqual([{ status: 'sent', n: addresses.length }]);
  }, 30_000);

  it('takes back the claims of a dead worker: sending becomes unknown, then a lookup settles it', async () => {
    const [sentThere, neverArrived, notStarted] = await enqueue(
      net.dealerA.id,
      ['lookup-sent@a.test', 'lookup-missing@a.test', 'not-started@a.test'].map((to) => message(to, { notBefore: new Date(Date.now() + 3600_000) })),
    );
    // A worker (lock key 7, not held by anyone) claimed all three and was killed while sending two.
    await t.ownerQuery(`UPDATE dispatch_queue SET claimed_by = 'gone:1:7', claim_key = 7, claimed_at = now() WHERE message_id = ANY($1::uuid[])`, [
      [sentThere.id, neverArrived.id, notStarted.id],
    ]);
    await t.ownerQuery(
      `UPDATE messages SET status = 'sending', claimed_by = 'gone:1:7', claimed_at = now(), attempts = 1, next_attempt_at = now() WHERE id = ANY($1::uuid[])`,
      [[sentThere.id, neverArrived.id]],
    );
    await t.ownerQuery(`UPDATE dispatch_queue SET next_attempt_at = now() WHERE message_id = $1`, [notStarted.id]);
    await t.ownerQuery(`UPDATE messages SET next_attempt_at = now() WHERE id = $1`, [notStarted.id]);
    worker.configure({ clientCacheMs: 0 });
    const registry = t.app.get(PluginRegistry);
    const real = registry.clientFor.bind(registry);
    const lookups: string[] = [];
    // A provider that can be asked by idempotency key (SMTP cannot): it has the first, never got the second.
    const spy = jest.spyOn(registry, 'clientFor').mockImplementation(async (channel, dealerId) => {
      const client = await real(channel, dealerId);
      const withLookup: ChannelClient = {
        send: client.send?.bind(client),
        lookup: async (key) => {
          lookups.push(key);
          return key === sentThere.id ? { status: 'sent', providerId: 'found-by-lookup', units: 1 } : undefined;
        },
      };
      return withLookup;
    });
    try {
      expect(await worker.recoverNow()).toEqual({ unknown: 2, requeued: 1 });
      expect((await row(sentThere.id)).status).toBe('unknown');
      await worker.drain({ until: new Date(Date.now() + 2000) });
    } finally {
      spy.mockRestore();
      worker.configure({ clientCacheMs: 10_000 });
    }
    expect(lookups.sort()).toEqual([sentThere.id, neverArrived.id].sort());
    expect(await row(sentThere.id)).toMatchObject({ status: 'sent', provider_id: 'found-by-lookup' });
    expect(await row(neverArrived.id)).toMatchObject({ status: 'sent', provider_id: `<${neverArrived.id}@vela.test>` });
    expect(await row(notStarted.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(smtp.deliveriesByAddress().get('lookup-sent@a.test')).toBeUndefined();
    expect(smtp.deliveriesByAddress().get('lookup-missing@a.test')).toBe(1);
    expect(smtp.deliveriesByAddress().get('not-started@a.test')).toBe(1);
  });

  it('applies provider status callbacks once, never moving a message backwards', async () => {
    const [{ id }] = await enqueue(net.dealerA.id, [message('status@a.test')]);
    await worker.drain();
    const providerId = `<${id}@vela.test>`;
    const status = t.app.get(MessageStatusService);
    expect(await status.applyStatusUpdates(CHANNEL, [{ providerId, status: 'delivered', eventId: 'ev-1' }])).toEqual({
      applied: 1,
      recorded: 0,
      duplicates: 0,
      unmatched: 0,
    });
    expect(
      await status.applyStatusUpdates(CHANNEL, [
        { providerId, status: 'delivered', eventId: 'ev-1' },
        { providerId, status: 'sent', eventId: 'ev-2' },
        { providerId: '<nobody@vela.test>', status: 'delivered', eventId: 'ev-3' },
      ]),
    ).toEqual({ applied: 0, recorded: 1, duplicates: 1, unmatched: 1 });
    expect((await row(id)).status).toBe('delivered');
    const events = await t.ownerQuery(`SELECT type, provider_event_id FROM message_events WHERE message_id = $1 ORDER BY id`, [id]);
    expect(events).toEqual([
      { type: 'delivered', provider_event_id: 'ev-1' },
      { type: 'sent', provider_event_id: 'ev-2' },
    ]);
    // Another channel's callback with the same provider id does not touch it.
    expect((await status.applyStatusUpdates('sms', [{ providerId, status: 'failed', eventId: 'ev-4' }])).unmatched).toBe(1);
  });

  describe('messages API', () => {
    let sentId: string;

    beforeAll(async () => {
      const [{ id }] = await enqueue(net.dealerA.id, [message('api@a.test', { serviceKey: 'birthday-greeting', vehicleIds: [] })]);
      await worker.drain();
      sentId = id;
      const [{ id: vehicleId }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM vehicles WHERE dealer_id = $1 AND external_id = 'V1'`, [net.dealerA.id]);
      await enqueue(net.dealerA.id, [message('later@a.test', { vehicleIds: [vehicleId], notBefore: new Date(Date.now() + 3600_000) })]);
    });

    it('lists the dealer its own messages, filtered and paged', async () => {
      const res = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?serviceKey=birthday-greeting`).set(bearer(net.dealerA.userToken));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            id: sentId,
            channel: CHANNEL,
            status: 'sent',
            serviceKey: 'birthday-greeting',
            step: 'invite',
            customerExternalId: 'C1',
            vehicleExternalIds: [],
            subject: expect.any(String),
            costCents: 1,
            sandbox: false,
            createdAt: expect.any(String),
            sentAt: expect.any(String),
          },
        ],
        total: 1,
        page: 1,
        pageSize: 50,
      });
      const queued = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?status=queued&customerExternalId=C1`).set('X-Api-Key', net.dealerA.apiKey);
      expect(queued.body.items.map((i: { vehicleExternalIds: string[] }) => i.vehicleExternalIds)).toContainEqual(['V1']);
      expect(queued.body.items.every((i: { status: string }) => i.status === 'queued')).toBe(true);
      const paged = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?channel=${CHANNEL}&pageSize=2&page=2`).set(bearer(net.dealerA.adminToken));
      expect(paged.body).toMatchObject({ page: 2, pageSize: 2 });
      expect(paged.body.items).toHaveLength(2);
      expect(paged.body.total).toBeGreaterThan(400);
      const bad = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?status=lost`).set(bearer(net.dealerA.adminToken));
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    });

    it('gives the rendered content to the own dealer', async () => {
      const res = await t.http().get(`/api/messages/${sentId}/content`).set(bearer(net.dealerA.userToken));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Klant api');
    });

    it('shows another dealer neither the list nor the content (404), and brand or network admins nothing (403)', async () => {
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/messages`).set(bearer(net.dealerB.adminToken))).status).toBe(404);
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/messages`).set('X-Api-Key', net.dealerB.apiKey)).status).toBe(404);
      expect((await t.http().get(`/api/messages/${sentId}/content`).set(bearer(net.dealerB.adminToken))).status).toBe(404);
      expect((await t.http().get(`/api/messages/${sentId}/content`).set('X-Api-Key', net.dealerB.apiKey)).status).toBe(404);
      expect((await t.http().get(`/api/messages/not-an-id/content`).set(bearer(net.dealerA.adminToken))).status).toBe(404);
      expect((await t.http().get(`/api/dealers/${net.dealerA.id}/messages`).set(bearer(net.brandAdminToken))).status).toBe(403);
      expect((await t.http().get(`/api/messages/${sentId}/content`).set(bearer(net.adminToken))).status).toBe(403);
      const own = await t.http().get(`/api/dealers/${net.dealerB.id}/messages`).set(bearer(net.dealerB.adminToken));
      expect(own.body.items.map((i: { id: string }) => i.id)).not.toContain(sentId);
    });
  });

  it('without SMTP_URL, renders the email as it would be sent and records it as sent to the sandbox', async () => {
    delete process.env.SMTP_URL;
    // Clients are rebuilt when their settings change; the worker asks the registry again at once.
    worker.configure({ clientCacheMs: 0 });
    try {
      const before = smtp.rcptReplies.length;
      const [{ id }] = await enqueue(net.dealerA.id, [message('sandbox@a.test', { serviceKey: 'sandbox-check' })]);
      const result = await worker.drain({ dealerIds: [net.dealerA.id] });
      expect(result).toMatchObject({ sent: 1, remaining: 0 });
      const r = await row(id);
      expect(r).toMatchObject({ status: 'sent', sandbox: true, provider_id: `<${id}@vela.test>`, attempts: 1, cost_cents: 1 });
      expect(r.subject).toBeTruthy();
      expect(smtp.rcptReplies.length).toBe(before);
      const list = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?serviceKey=sandbox-check`).set(bearer(net.dealerA.userToken));
      expect(list.body.items).toEqual([expect.objectContaining({ id, status: 'sent', sandbox: true, subject: r.subject })]);
      const content = await t.http().get(`/api/messages/${id}/content`).set(bearer(net.dealerA.userToken));
      expect(content.status).toBe(200);
      expect(content.headers['content-type']).toMatch(/^text\/html/);
      expect(content.text).toContain('Klant sandbox');
      expect(content.text).toContain(`${t.config.publicUrl}/t/o/`);
    } finally {
      process.env.SMTP_URL = smtp.url;
      worker.configure({ clientCacheMs: 10_000 });
    }
  });

  it('reports the queue on /health', async () => {
    const res = await t.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body.queue).toMatchObject({
      status: 'up',
      due: expect.any(Number),
      scheduled: expect.any(Number),
      claimed: expect.any(Number),
      workers: expect.any(Number),
    });
    expect(res.body.queue.scheduled).toBeGreaterThan(0);
    expect(res.body.queue.workers).toBeGreaterThanOrEqual(1);
  });

  it('erasing a customer empties their messages and cancels the ones not sent', async () => {
    const as = bearer(net.dealerB.adminToken);
    await t.http().put(`/api/dealers/${net.dealerB.id}/customers/ERASE`).set(as).send({ kind: 'person', firstName: 'Eva', email: 'eva@b.test' });
    const [{ id: customerId }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1 AND external_id = 'ERASE'`, [net.dealerB.id]);
    const [{ id }] = await enqueue(net.dealerB.id, [message('eva@b.test', { customerId, notBefore: new Date(Date.now() + 3600_000) })]);
    expect((await t.http().delete(`/api/dealers/${net.dealerB.id}/customers/ERASE`).set(as)).status).toBe(204);
    const [erased] = await t.ownerQuery(`SELECT customer_id, recipient, data, status, status_reason FROM messages WHERE id = $1`, [id]);
    expect(erased).toEqual({ customer_id: null, recipient: {}, data: {}, status: 'failed', status_reason: 'customer erased' });
    expect(await queueRows(id)).toBe(0);
  });
});
