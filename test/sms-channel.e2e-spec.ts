import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { NewMessage } from '../apps/host/src/dispatch/message.types';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { PluginRegistry } from '../apps/host/src/plugin-host/plugin-registry.service';
import { countSegments } from '../plugins/channel-sms/src/segments';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';
import { startTwilioServer, TwilioMessage, TwilioStandIn } from './support/twilio-server';

interface Row {
  id: string;
  status: string;
  status_reason: string | null;
  attempts: number;
  provider_id: string | null;
  cost_cents: number;
  units: number | null;
  sandbox: boolean;
}

const TWILIO_VARS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_API_URL'] as const;
const FROM = '+3197010203040';

describe('SMS: the real twilio SDK against a Twilio-shaped server on loopback, status callbacks at /hooks/twilio/status', () => {
  let twilioApi: TwilioStandIn;
  let t: TestApp;
  let net: NetworkFixture;
  let worker: DispatchWorker;
  let customerA: string;
  const saved = Object.fromEntries(TWILIO_VARS.map((name) => [name, process.env[name]]));
  let seq = 0;

  // The invitation's SMS text (templates/inspection-reminder/invite/sms.<locale>.txt), rendered by the real renderer.
  const sms = (phone: string, customerId = customerA): NewMessage => ({
    dedupeKey: `sms-test:${++seq}:${phone}`,
    channel: 'sms',
    template: 'inspection-reminder/invite',
    locale: 'nl',
    recipient: { name: 'Anna de Vries', phone, locale: 'nl' },
    customerId,
    serviceKey: 'inspection-reminder',
    step: 'invite',
    data: { vehicles: [{ plate: 'AB-12-CD', inspectionDueDate: '2027-01-15' }] },
  });

  const enqueue = async (dealerId: string, messages: NewMessage[]) =>
    (await t.app.get(TenantDb).run(dealerId, (m) => t.app.get(OutboxService).enqueue(m, dealerId, messages))).map((e) => e.id);

  const row = async (id: string): Promise<Row> =>
    (await t.ownerQuery<Row>('SELECT id, status, status_reason, attempts, provider_id, cost_cents, units, sandbox FROM messages WHERE id = $1', [id]))[0];

  const events = (id: string) => t.ownerQuery<{ type: string; provider_event_id: string }>('SELECT type, provider_event_id FROM message_events WHERE message_id = $1 ORDER BY id', [id]);

  const sentTo = (phone: string): TwilioMessage[] => twilioApi.messages.filter((m) => m.to === phone);

  /** Posts a status callback as Twilio would, through supertest, with the signature given. */
  const postCallback = (url: string, params: Record<string, string>, signature?: string) => {
    const path = url.slice(t.url.length);
    const req = t.http().post(path).type('form').send(params);
    return signature === undefined ? req : req.set('X-Twilio-Signature', signature);
  };

  beforeAll(async () => {
    twilioApi = await startTwilioServer();
    const env = { TWILIO_ACCOUNT_SID: twilioApi.accountSid, TWILIO_AUTH_TOKEN: twilioApi.authToken, TWILIO_FROM: FROM, TWILIO_API_URL: twilioApi.url };
    // The host reads channel defaults from its environment (the manifest's `env`) when it builds a client.
    Object.assign(process.env, env);
    t = await startTestApp({ ...FIXTURE_ENV, ...env });
    net = await createNetwork(t);
    worker = t.app.get(DispatchWorker);
    worker.configure({ retryBaseMs: 200, pollMs: 100 });
    [{ id: customerA }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1 AND external_id = 'C1'`, [net.dealerA.id]);
    // Dealer A waits one second for Twilio, so the stand-in's unanswered request times out quickly.
    const put = await t.http().put(`/api/dealers/${net.dealerA.id}/plugins/channel-sms`).set(bearer(net.dealerA.adminToken)).send({ settings: { timeoutSeconds: 1 } });
    expect(put.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await twilioApi?.stop();
    for (const name of TWILIO_VARS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('discovers the SMS channel plugin and lists it enabled', async () => {
    expect(t.app.get(PluginRegistry).channel('sms')?.pluginId).toBe('channel-sms');
    const plugins = await t.http().get('/api/plugins').set(bearer(net.adminToken));
    expect(plugins.body.find((p: { id: string }) => p.id === 'channel-sms')).toMatchObject({ kind: 'channel', state: 'enabled' });
  });

  it('sends through the SDK to TWILIO_API_URL: Basic auth, To, From, the rendered text, a StatusCallback naming dealer and message', async () => {
    const [id] = await enqueue(net.dealerA.id, [sms('+31612345678')]);
    const before = twilioApi.requests.length;
    expect((await worker.drain({ dealerIds: [net.dealerA.id] })).remaining).toBe(0);
    const [request] = twilioApi.requests.slice(before);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${twilioApi.accountSid}/Messages.json`,
      auth: { username: twilioApi.accountSid, password: twilioApi.authToken },
      status: 201,
      form: { To: '+31612345678', From: FROM, StatusCallback: `${t.url}/hooks/twilio/status?dealer=${net.dealerA.id}&message=${id}` },
    });
    const content = await t.http().get(`/api/messages/${id}/content`).set(bearer(net.dealerA.adminToken));
    expect(content.status).toBe(200);
    expect(request.form.Body).toBe(content.text);
    const segments = countSegments(request.form.Body).segments;
    expect(segments).toBeGreaterThan(0);
    expect(await row(id)).toMatchObject({
      status: 'sent',
      status_reason: null,
      attempts: 1,
      provider_id: sentTo('+31612345678')[0].sid,
      units: segments,
      cost_cents: segments * 8,
      sandbox: false,
    });
  });

  it('prices per segment: GSM-7 text in parts of 153, one character outside GSM-7 makes the whole text UCS-2 in parts of 67', async () => {
    const unicode: NewMessage = { ...sms('+31612340002'), data: { vehicles: [{ plate: 'AB-12-ČD', inspectionDueDate: '2027-01-15' }] } };
    const [gsm, ucs] = await enqueue(net.dealerA.id, [sms('+31612340001'), unicode]);
    await worker.drain({ dealerIds: [net.dealerA.id] });
    const [gsmBody, ucsBody] = [sentTo('+31612340001')[0].body, sentTo('+31612340002')[0].body];
    expect(ucsBody).toContain('AB-12-ČD');
    const [gsmCount, ucsCount] = [countSegments(gsmBody), countSegments(ucsBody)];
    // Neither text has a character of GSM-7's extension table or outside UTF-16's basic plane: one unit per character.
    const parts = (length: number, single: number, part: number) => (length <= single ? 1 : Math.ceil(length / part));
    expect(gsmCount).toMatchObject({ encoding: 'GSM-7', segments: parts(gsmBody.length, 160, 153) });
    expect(ucsCount).toMatchObject({ encoding: 'UCS-2', segments: parts(ucsBody.length, 70, 67) });
    expect(ucsCount.segments).toBeGreaterThan(gsmCount.segments);
    expect(await row(gsm)).toMatchObject({ status: 'sent', units: gsmCount.segments, cost_cents: gsmCount.segments * 8 });
    expect(await row(ucs)).toMatchObject({ status: 'sent', units: ucsCount.segments, cost_cents: ucsCount.segments * 8 });
  });

  it("fails a number Twilio refuses (21211) and one that is not E.164 without asking Twilio", async () => {
    twilioApi.behaviour.set('+15005550001', 'invalid');
    const [refused, local] = await enqueue(net.dealerA.id, [sms('+15005550001'), sms('0612345678')]);
    await worker.drain({ dealerIds: [net.dealerA.id] });
    expect(await row(refused)).toMatchObject({
      status: 'failed',
      attempts: 1,
      status_reason: "Twilio refused the message (21211: The 'To' number +15005550001 is not a valid phone number.)",
    });
    expect(await row(local)).toMatchObject({ status: 'failed', status_reason: 'the recipient\'s phone "0612345678" is not in E.164 form (like +31612345678)' });
    expect(twilioApi.requests.filter((r) => r.form.To === '0612345678')).toHaveLength(0);
  });

  it('retries a 429 with backoff and then sends once', async () => {
    twilioApi.behaviour.set('+31612340429', 'rate-limit');
    const [id] = await enqueue(net.dealerA.id, [sms('+31612340429')]);
    await worker.drain({ dealerIds: [net.dealerA.id] });
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1, status_reason: 'Twilio asks to slow down (20429: Too Many Requests)' });
    twilioApi.behaviour.delete('+31612340429');
    expect((await worker.drain({ dealerIds: [net.dealerA.id], until: new Date(Date.now() + 2000) })).remaining).toBe(0);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, status_reason: null });
    expect(twilioApi.requests.filter((r) => r.form.To === '+31612340429').map((r) => r.status)).toEqual([429, 201]);
    expect(sentTo('+31612340429')).toHaveLength(1);
  });

  describe('a send whose outcome is unknown', () => {
    const posts = (phone: string) => twilioApi.requests.filter((r) => r.method === 'POST' && r.form.To === phone);
    const lookups = (phone: string) => twilioApi.requests.filter((r) => r.method === 'GET' && r.query.To === phone);

    afterEach(() => worker.configure({ retryBaseMs: 200 }));

    it('marks a send Twilio took but never answered unknown, never sends it again, and lets its callback settle it', async () => {
      // No lookup before the callback comes: the callback alone must tie Twilio's sid to the message.
      worker.configure({ retryBaseMs: 60_000 });
      twilioApi.behaviour.set('+31612349999', 'hang');
      const [id] = await enqueue(net.dealerA.id, [sms('+31612349999')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      expect(await row(id)).toMatchObject({ status: 'unknown', status_reason: 'no answer from Twilio within 1s', provider_id: null });
      await worker.drain({ dealerIds: [net.dealerA.id], until: new Date(Date.now() + 1000) });
      expect(posts('+31612349999')).toHaveLength(1);
      const [taken] = sentTo('+31612349999');
      expect(taken.statusCallback).toBe(`${t.url}/hooks/twilio/status?dealer=${net.dealerA.id}&message=${id}`);
      expect(await twilioApi.deliverStatus(taken, 'delivered')).toBe(204);
      expect(await row(id)).toMatchObject({ status: 'delivered', provider_id: taken.sid });
      expect(await events(id)).toEqual([{ type: 'delivered', provider_event_id: `${taken.sid}:delivered` }]);
    });

    it("looks a message Twilio took without answering up in Twilio's list (recipient and sender), records it sent, never sends it twice", async () => {
      twilioApi.behaviour.set('+31612348888', 'hang');
      const [id] = await enqueue(net.dealerA.id, [sms('+31612348888')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      expect(await row(id)).toMatchObject({ status: 'unknown', provider_id: null });
      twilioApi.behaviour.delete('+31612348888');
      await worker.drain({ dealerIds: [net.dealerA.id], until: new Date(Date.now() + 2000) });
      const [taken] = sentTo('+31612348888');
      const segments = countSegments(taken.body).segments;
      expect(await row(id)).toMatchObject({ status: 'sent', provider_id: taken.sid, units: segments, cost_cents: segments * 8, sandbox: false });
      expect(posts('+31612348888')).toHaveLength(1);
      expect(lookups('+31612348888')[0]).toMatchObject({
        path: `/2010-04-01/Accounts/${twilioApi.accountSid}/Messages.json`,
        auth: { username: twilioApi.accountSid, password: twilioApi.authToken },
        query: { To: '+31612348888', From: FROM },
        status: 200,
      });
      // Its callbacks now find it by Twilio's id.
      expect(await twilioApi.deliverStatus(taken, 'delivered')).toBe(204);
      expect((await row(id)).status).toBe('delivered');
    });

    it('sends again, once, a message whose request was lost before Twilio got it, after Twilio still has no record of it', async () => {
      twilioApi.behaviour.set('+31612347777', 'drop');
      const [id] = await enqueue(net.dealerA.id, [sms('+31612347777')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      expect(await row(id)).toMatchObject({ status: 'unknown', status_reason: 'no answer from Twilio within 1s' });
      twilioApi.behaviour.delete('+31612347777');
      await worker.drain({ dealerIds: [net.dealerA.id], until: new Date(Date.now() + 6000) });
      const taken = sentTo('+31612347777');
      expect(taken).toHaveLength(1);
      expect(posts('+31612347777').map((r) => r.status)).toEqual([-1, 201]);
      expect(lookups('+31612347777').length).toBeGreaterThanOrEqual(2);
      expect(await row(id)).toMatchObject({ status: 'sent', provider_id: taken[0].sid, status_reason: null });
    });
  });

  describe('status callbacks', () => {
    let id: string;
    let sent: TwilioMessage;

    beforeAll(async () => {
      [id] = await enqueue(net.dealerA.id, [sms('+31612345001')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      [sent] = sentTo('+31612345001');
      expect(await row(id)).toMatchObject({ status: 'sent', provider_id: sent.sid });
    });

    it('applies correctly signed callbacks (sent, then delivered) and answers 204', async () => {
      expect(await twilioApi.deliverStatus(sent, 'queued')).toBe(204);
      expect(await twilioApi.deliverStatus(sent, 'sent')).toBe(204);
      expect(await twilioApi.deliverStatus(sent, 'delivered')).toBe(204);
      expect((await row(id)).status).toBe('delivered');
      expect(await events(id)).toEqual([
        { type: 'sent', provider_event_id: `${sent.sid}:sent` },
        { type: 'delivered', provider_event_id: `${sent.sid}:delivered` },
      ]);
    });

    it('ignores a duplicate callback: 204, nothing recorded twice, and a late one never moves the status back', async () => {
      expect(await twilioApi.deliverStatus(sent, 'delivered')).toBe(204);
      expect(await twilioApi.deliverStatus(sent, 'sent')).toBe(204);
      expect(await events(id)).toHaveLength(2);
      expect((await row(id)).status).toBe('delivered');
    });

    it('refuses a wrong or missing signature with a 403 problem, and changes nothing', async () => {
      const callback = twilioApi.statusCallback(sent, 'undelivered', { ErrorCode: '30003' });
      const wrong = await postCallback(callback.url, callback.params, twilioApi.statusCallback(sent, 'delivered').signature);
      expect(wrong.status).toBe(403);
      expect(wrong.headers['content-type']).toContain('application/problem+json');
      expect(wrong.body).toMatchObject({ status: 403, detail: expect.stringContaining('X-Twilio-Signature') });
      expect((await postCallback(callback.url, callback.params)).status).toBe(403);
      const tampered = await postCallback(callback.url, { ...callback.params, ErrorCode: '30008' }, callback.signature);
      expect(tampered.status).toBe(403);
      expect((await postCallback(callback.url, callback.params, callback.signature)).status).toBe(204);
      expect(await events(id)).toHaveLength(3);
      expect((await row(id)).status).toBe('delivered');
    });

    it('refuses a callback whose URL names no dealer, or a dealer that does not exist', async () => {
      const bare = twilioApi.statusCallback(sent, 'failed', {}, `${t.url}/hooks/twilio/status`);
      expect((await postCallback(bare.url, bare.params, bare.signature)).status).toBe(403);
      const nobody = twilioApi.statusCallback(sent, 'failed', {}, `${t.url}/hooks/twilio/status?dealer=not-a-dealer`);
      expect((await postCallback(nobody.url, nobody.params, nobody.signature)).status).toBe(403);
    });

    it("never moves another dealer's message, even with a callback signed for the dealer it names", async () => {
      const [other] = await enqueue(net.dealerA.id, [sms('+31612345002')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      const [otherSent] = sentTo('+31612345002');
      const forB = twilioApi.statusCallback(otherSent, 'failed', { ErrorCode: '30005' }, `${t.url}/hooks/twilio/status?dealer=${net.dealerB.id}&message=${other}`);
      expect((await postCallback(forB.url, forB.params, forB.signature)).status).toBe(204);
      expect((await row(other)).status).toBe('sent');
      expect(await events(other)).toHaveLength(0);
    });

    it('records an undelivered report as failed with the reason, on a message not delivered yet', async () => {
      const [other] = await enqueue(net.dealerA.id, [sms('+31612345003')]);
      await worker.drain({ dealerIds: [net.dealerA.id] });
      const [otherSent] = sentTo('+31612345003');
      expect(await twilioApi.deliverStatus(otherSent, 'undelivered', { ErrorCode: '30003' })).toBe(204);
      expect(await row(other)).toMatchObject({ status: 'failed', status_reason: 'Twilio: undelivered (error 30003: the handset is unreachable)' });
      const list = await t.http().get(`/api/dealers/${net.dealerA.id}/messages?channel=sms&status=failed`).set(bearer(net.dealerA.adminToken));
      expect(list.body.items.map((m: { id: string }) => m.id)).toContain(other);
    });
  });

  describe('without Twilio settings', () => {
    beforeAll(() => {
      for (const name of TWILIO_VARS) delete process.env[name];
      // The worker asks the registry again at once, so the settings' change is seen now.
      worker.configure({ clientCacheMs: 0 });
    });

    it('sends to the sandbox outbox: rendered, counted and priced as it would be sent, marked sandbox, nothing to Twilio', async () => {
      const [{ id: customerB }] = await t.ownerQuery<{ id: string }>(`SELECT id FROM customers WHERE dealer_id = $1 AND external_id = 'C1'`, [net.dealerB.id]);
      const before = twilioApi.requests.length;
      const [id, local] = await enqueue(net.dealerB.id, [sms('+4915112345678', customerB), sms('015112345678', customerB)]);
      expect((await worker.drain({ dealerIds: [net.dealerB.id] })).remaining).toBe(0);
      expect(twilioApi.requests.length).toBe(before);
      const content = await t.http().get(`/api/messages/${id}/content`).set(bearer(net.dealerB.adminToken));
      expect(content.status).toBe(200);
      expect(content.text).toContain('AB-12-CD');
      const segments = countSegments(content.text).segments;
      expect(await row(id)).toMatchObject({ status: 'sent', sandbox: true, provider_id: null, units: segments, cost_cents: segments * 8 });
      expect(await row(local)).toMatchObject({ status: 'failed', status_reason: 'the recipient\'s phone "015112345678" is not in E.164 form (like +31612345678)' });
      const list = await t.http().get(`/api/dealers/${net.dealerB.id}/messages?channel=sms`).set(bearer(net.dealerB.adminToken));
      expect(list.body.items.find((m: { id: string }) => m.id === id)).toMatchObject({ status: 'sent', sandbox: true, costCents: segments * 8 });
    });

    it('refuses status callbacks for a dealer in the sandbox: there is no auth token to check them with', async () => {
      const [sent] = twilioApi.messages;
      const callback = twilioApi.statusCallback(sent, 'delivered', {}, `${t.url}/hooks/twilio/status?dealer=${net.dealerB.id}`);
      const res = await postCallback(callback.url, callback.params, callback.signature);
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('cannot be verified');
    });
  });
});
