import type { ChannelClient, OutgoingMessage } from '@forecourt/sdk';
import { makeTestContext, runChannelContract } from '@forecourt/sdk';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { startTwilioServer, TwilioStandIn } from '../../../test/support/twilio-server';
import smsChannel, { countSegments, isE164, parseTwilioStatus, resultOfTwilioError, SandboxSmsClient, SmsSettings, statusCallbackFor, TwilioSmsClient } from './index';

const DEALER = '11111111-1111-4111-8111-111111111111';
const PUBLIC_URL = 'https://forecourt.example.test';

const sms = (phone: string | undefined, text = 'Uw auto is klaar voor de APK. Bel 030-1234567 voor een afspraak.'): OutgoingMessage => ({
  id: randomUUID(),
  dealerId: DEALER,
  channel: 'sms',
  to: { name: 'Anna de Vries', phone, locale: 'nl' },
  text,
});

let twilioApi: TwilioStandIn;
beforeAll(async () => {
  twilioApi = await startTwilioServer();
});
afterAll(() => twilioApi.stop());

const settingsFor = (extra: SmsSettings = {}): SmsSettings => ({
  accountSid: twilioApi.accountSid,
  authToken: twilioApi.authToken,
  from: '+3197010203040',
  apiUrl: twilioApi.url,
  pricePerSegmentCents: 8,
  timeoutSeconds: 5,
  ...extra,
});

const contextFor = (settings: SmsSettings) => makeTestContext(settings, { dealerId: DEALER, publicUrl: PUBLIC_URL });

runChannelContract('sms through the real twilio SDK to a Twilio-shaped server on loopback', {
  definition: smsChannel,
  settings: () => settingsFor(),
  makeContext: contextFor,
  sampleMessage: () => sms('+31612345678'),
  deliveries: () => twilioApi.messages.length,
  expectDelivered: (result, message) => {
    expect(result).toMatchObject({ status: 'sent', providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/), units: 1, costCents: 8 });
    expect(twilioApi.messages.find((m) => m.sid === (result as { providerId: string }).providerId)).toMatchObject({ to: '+31612345678', body: message.text });
  },
  badWebhook: () => {
    const message = twilioApi.messages[0] ?? { sid: 'SM0', to: '+31612345678', body: 'x', accountSid: twilioApi.accountSid, hung: false };
    const callback = twilioApi.statusCallback(message, 'delivered', {}, `${PUBLIC_URL}/hooks/twilio/status?dealer=${DEALER}`);
    return { url: callback.url, headers: { 'x-twilio-signature': callback.signature }, body: { ...callback.params, MessageStatus: 'failed' } };
  },
});

runChannelContract('sms sandbox (no Twilio credentials)', {
  definition: smsChannel,
  settings: {},
  sampleMessage: () => sms('+31612345678'),
  expectDelivered: (result) => expect(result).toEqual({ status: 'sent', sandbox: true, units: 1, costCents: 8 }),
});

describe('the SMS channel', () => {
  it('declares the sms channel, reaching mobile numbers under the sms consent', () => {
    expect(smsChannel).toMatchObject({ kind: 'channel', channel: 'sms', reach: 'mobile', consentChannel: 'sms', unitCostCents: 8 });
  });

  it('takes E.164 numbers only', () => {
    expect(isE164('+31612345678')).toBe(true);
    expect(isE164('+491701234567')).toBe(true);
    for (const bad of ['0612345678', '31612345678', '+0612345678', '+31 6 12345678', '+31-612345678', '+1234567890123456', '+', '']) expect(isE164(bad)).toBe(false);
  });

  it('builds the status callback URL with the dealer and the message in its query', () => {
    expect(statusCallbackFor('https://h.test/hooks/twilio/status', DEALER, 'm-1')).toBe(`https://h.test/hooks/twilio/status?dealer=${DEALER}&message=m-1`);
    expect(statusCallbackFor('https://h.test/cb?x=1', DEALER, 'm-1')).toBe(`https://h.test/cb?x=1&dealer=${DEALER}&message=m-1`);
  });
});

describe('sending through Twilio', () => {
  let client: ChannelClient;
  let context: ReturnType<typeof contextFor>;

  beforeAll(async () => {
    context = contextFor(settingsFor({ timeoutSeconds: 1 }));
    client = await smsChannel.createClient(context);
  });
  afterAll(() => client.close?.());

  const send = (message: OutgoingMessage) => client.send!(message, { idempotencyKey: message.id });

  it('posts To, From, Body and a StatusCallback naming dealer and message, with Basic auth of the account', async () => {
    const message = sms('+31612345678', 'Morgen om 9:30 uw APK-afspraak. Tot dan! €0 [gratis]');
    const before = twilioApi.requests.length;
    const result = await send(message);
    const [request] = twilioApi.requests.slice(before);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/2010-04-01/Accounts/${twilioApi.accountSid}/Messages.json`,
      auth: { username: twilioApi.accountSid, password: twilioApi.authToken },
      status: 201,
      form: {
        To: '+31612345678',
        From: '+3197010203040',
        Body: message.text,
        StatusCallback: `${PUBLIC_URL}/hooks/twilio/status?dealer=${DEALER}&message=${message.id}`,
      },
    });
    const segments = countSegments(message.text!).segments;
    expect(result).toEqual({ status: 'sent', providerId: twilioApi.messages.at(-1)!.sid, units: segments, costCents: segments * 8 });
  });

  it('prices a long Unicode text per UCS-2 segment', async () => {
    const text = `Beste Zoë, uw auto 🚗 is klaar. ${'Bel ons gerust. '.repeat(6)}`;
    const { encoding, segments } = countSegments(text);
    expect(encoding).toBe('UCS-2');
    expect(segments).toBe(2);
    expect(await send(sms('+31612345678', text))).toMatchObject({ status: 'sent', units: 2, costCents: 16 });
  });

  it('uses a messaging service when the sender is one (MG…)', async () => {
    const service = await smsChannel.createClient(contextFor(settingsFor({ from: `MG${'a'.repeat(32)}` })));
    await service.send!(sms('+31612345678'), { idempotencyKey: randomUUID() });
    expect(twilioApi.requests.at(-1)!.form).toMatchObject({ MessagingServiceSid: `MG${'a'.repeat(32)}` });
    expect(twilioApi.requests.at(-1)!.form.From).toBeUndefined();
    await service.close?.();
  });

  it('fails a message without a mobile number, with a number that is not E.164 or without text, asking nobody', async () => {
    const before = twilioApi.requests.length;
    expect(await send(sms(undefined))).toEqual({ status: 'failed', reason: 'the recipient has no mobile number (phone is empty)' });
    expect(await send(sms('0612345678'))).toEqual({ status: 'failed', reason: 'the recipient\'s phone "0612345678" is not in E.164 form (like +31612345678)' });
    expect(await send(sms('+31612345678', '  '))).toEqual({ status: 'failed', reason: 'the message has no text' });
    expect(twilioApi.requests.length).toBe(before);
  });

  it("fails what Twilio refuses: an invalid 'To' (21211), an unsubscribed recipient (21610)", async () => {
    twilioApi.behaviour.set('+15005550001', 'invalid');
    twilioApi.behaviour.set('+15005550002', 'unsubscribed');
    expect(await send(sms('+15005550001'))).toEqual({
      status: 'failed',
      reason: "Twilio refused the message (21211: The 'To' number +15005550001 is not a valid phone number.)",
    });
    expect(await send(sms('+15005550002'))).toEqual({ status: 'failed', reason: 'Twilio refused the message (21610: Attempt to send to unsubscribed recipient)' });
  });

  it('retries when Twilio asks to slow down (429) or cannot take it now (503)', async () => {
    twilioApi.behaviour.set('+15005550003', 'rate-limit');
    twilioApi.behaviour.set('+15005550004', 'unavailable');
    expect(await send(sms('+15005550003'))).toEqual({ status: 'retry', reason: 'Twilio asks to slow down (20429: Too Many Requests)' });
    expect(await send(sms('+15005550004'))).toEqual({ status: 'retry', reason: 'Twilio could not take the message now (20503: Service Unavailable)' });
  });

  it('answers unknown when Twilio took the request and no answer came in time', async () => {
    twilioApi.behaviour.set('+15005550005', 'hang');
    const message = sms('+15005550005');
    const started = Date.now();
    expect(await send(message)).toEqual({ status: 'unknown', reason: 'no answer from Twilio within 1s' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(twilioApi.messages.at(-1)).toMatchObject({ to: '+15005550005', hung: true });
  });

  it('retries when Twilio cannot be reached at all (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = await smsChannel.createClient(contextFor(settingsFor({ apiUrl: `http://127.0.0.1:${port}` })));
    expect(await offline.send!(sms('+31612345678'), { idempotencyKey: randomUUID() })).toEqual({ status: 'retry', reason: 'Twilio cannot be reached (ECONNREFUSED)' });
    await offline.close?.();
  });

  it('retries with a clear reason when Twilio refuses the credentials (401), and never logs the token', async () => {
    const wrong = contextFor(settingsFor({ authToken: 'not-the-right-token-at-all' }));
    const badClient = await smsChannel.createClient(wrong);
    const result = await badClient.send!(sms('+31612345678'), { idempotencyKey: randomUUID() });
    expect(result).toMatchObject({ status: 'retry', reason: expect.stringContaining('Twilio refused the credentials (20003: Authenticate)') });
    await badClient.close?.();
    const logged = JSON.stringify([...context.logs, ...wrong.logs]);
    expect(logged).not.toContain(twilioApi.authToken);
    expect(logged).not.toContain('not-the-right-token-at-all');
    expect(logged).not.toContain('+15005550001');
  });

  it('does not hand one message to Twilio twice for one idempotency key', async () => {
    const message = sms('+31612345679');
    const first = await send(message);
    const second = await send(message);
    expect(second).toEqual(first);
    expect(twilioApi.messages.filter((m) => m.to === '+31612345679')).toHaveLength(1);
  });

  describe('lookup by idempotency key (the message id), for sends whose outcome is unknown', () => {
    const lookups = () => twilioApi.requests.filter((r) => r.method === 'GET');

    it('answers nothing for a key it never handed to Twilio, without asking Twilio', async () => {
      const before = lookups().length;
      expect(await client.lookup!(randomUUID())).toBeUndefined();
      expect(lookups()).toHaveLength(before);
    });

    it('answers what it kept for a message Twilio answered', async () => {
      const message = sms('+31612345671');
      const sent = await send(message);
      const before = lookups().length;
      expect(await client.lookup!(message.id)).toEqual(sent);
      expect(lookups()).toHaveLength(before);
    });

    it("finds a message Twilio took without answering in the recipient's list, by sender and text", async () => {
      await send(sms('+15005550006', 'Een ander bericht, eerder naar hetzelfde nummer.'));
      twilioApi.behaviour.set('+15005550006', 'hang');
      const message = sms('+15005550006');
      expect(await send(message)).toMatchObject({ status: 'unknown' });
      const taken = twilioApi.messages.at(-1)!;
      const found = await client.lookup!(message.id);
      expect(found).toEqual({ status: 'sent', providerId: taken.sid, units: 1, costCents: 8 });
      expect(lookups().at(-1)).toMatchObject({
        path: `/2010-04-01/Accounts/${twilioApi.accountSid}/Messages.json`,
        auth: { username: twilioApi.accountSid, password: twilioApi.authToken },
        query: { To: '+15005550006', From: '+3197010203040' },
        status: 200,
      });
      expect(await client.lookup!(message.id)).toEqual(found);
      expect(JSON.stringify(await context.store.get(`send:${message.id}`))).not.toContain('+15005550006');
    });

    it('keeps the number only while the outcome is unknown: a message Twilio answered leaves its answer alone in the store', async () => {
      const answered = sms('+31612345672');
      await send(answered);
      expect(await context.store.get(`send:${answered.id}`)).toEqual({ result: { status: 'sent', providerId: expect.any(String), units: 1, costCents: 8 } });
      twilioApi.behaviour.set('+15005550010', 'invalid');
      const refused = sms('+15005550010');
      await send(refused);
      expect(await context.store.get(`send:${refused.id}`)).toBeUndefined();
      twilioApi.behaviour.set('+15005550011', 'hang');
      const lost = sms('+15005550011');
      await send(lost);
      expect(await context.store.get(`send:${lost.id}`)).toMatchObject({ attempt: { to: '+15005550011', from: '+3197010203040', units: 1, costCents: 8 } });
      expect(JSON.stringify(await context.store.get(`send:${lost.id}`))).not.toContain(lost.text!);
    });

    it('answers failed for a message Twilio took and then gave up', async () => {
      twilioApi.behaviour.set('+15005550007', 'hang');
      const message = sms('+15005550007');
      await send(message);
      twilioApi.messages.at(-1)!.status = 'undelivered';
      expect(await client.lookup!(message.id)).toEqual({ status: 'failed', reason: 'Twilio: undelivered' });
    });

    it('stays unknown while a lost request could still reach Twilio, then answers nothing so it can be sent again', async () => {
      twilioApi.behaviour.set('+15005550008', 'drop');
      const message = sms('+15005550008');
      expect(await send(message)).toEqual({ status: 'unknown', reason: 'no answer from Twilio within 1s' });
      expect(twilioApi.messages.filter((m) => m.to === '+15005550008')).toHaveLength(0);
      expect(await client.lookup!(message.id)).toEqual({ status: 'unknown', reason: 'Twilio has no record of the message yet' });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await client.lookup!(message.id)).toBeUndefined();
      twilioApi.behaviour.delete('+15005550008');
      expect(await send(message)).toMatchObject({ status: 'sent' });
      expect(twilioApi.messages.filter((m) => m.to === '+15005550008')).toHaveLength(1);
    });

    it('throws when Twilio cannot be asked, so the outcome stays unknown', async () => {
      const message = sms('+15005550009');
      twilioApi.behaviour.set('+15005550009', 'hang');
      await send(message);
      const wrong = contextFor(settingsFor({ authToken: 'not-the-right-token-at-all', timeoutSeconds: 1 }));
      await wrong.store.set(`send:${message.id}`, await context.store.get(`send:${message.id}`));
      const badClient = await smsChannel.createClient(wrong);
      await expect(badClient.lookup!(message.id)).rejects.toMatchObject({ status: 401 });
      await badClient.close?.();
    });
  });

  it('points the real SDK at TWILIO_API_URL, with or without a trailing slash', async () => {
    const slashed = await smsChannel.createClient(contextFor(settingsFor({ apiUrl: `${twilioApi.url}/` })));
    expect(await slashed.send!(sms('+31612345670'), { idempotencyKey: randomUUID() })).toMatchObject({ status: 'sent' });
    expect(twilioApi.requests.at(-1)!.path).toBe(`/2010-04-01/Accounts/${twilioApi.accountSid}/Messages.json`);
    await slashed.close?.();
  });
});

describe('Twilio status callbacks', () => {
  const message = () => ({ sid: `SM${'b'.repeat(32)}`, accountSid: twilioApi.accountSid, to: '+31612345678', from: '+3197010203040', body: 'x', hung: false });
  const url = `${PUBLIC_URL}/hooks/twilio/status?dealer=${DEALER}&message=6d0f7c1e-3b7a-4c55-9a43-1d2a3b4c5d6e`;
  const request = (status: string, extra: Record<string, string> = {}, at = url) => {
    const callback = twilioApi.statusCallback({ ...message(), statusCallback: at }, status, extra);
    return { url: callback.url, headers: { 'X-Twilio-Signature': callback.signature, 'content-type': 'application/x-www-form-urlencoded' }, body: callback.params };
  };

  it('maps delivered, sent, undelivered and failed, with the sid as provider id and sid + status as event id', () => {
    const sid = message().sid;
    expect(parseTwilioStatus(request('delivered'), twilioApi.authToken)).toEqual([{ providerId: sid, status: 'delivered', eventId: `${sid}:delivered` }]);
    expect(parseTwilioStatus(request('sent'), twilioApi.authToken)).toEqual([{ providerId: sid, status: 'sent', eventId: `${sid}:sent` }]);
    expect(parseTwilioStatus(request('undelivered', { ErrorCode: '30003' }), twilioApi.authToken)).toEqual([
      { providerId: sid, status: 'failed', eventId: `${sid}:undelivered`, reason: 'Twilio: undelivered (error 30003: the handset is unreachable)' },
    ]);
    expect(parseTwilioStatus(request('failed', { ErrorCode: '30008' }), twilioApi.authToken)[0]).toMatchObject({ status: 'failed', eventId: `${sid}:failed` });
  });

  it('says nothing for states along the way (queued, accepted, sending)', () => {
    for (const status of ['queued', 'accepted', 'sending']) expect(parseTwilioStatus(request(status), twilioApi.authToken)).toEqual([]);
  });

  it('throws on a missing or wrong signature, a changed field, another URL or another token', () => {
    const good = request('delivered');
    expect(() => parseTwilioStatus({ ...good, headers: {} }, twilioApi.authToken)).toThrow('no X-Twilio-Signature');
    expect(() => parseTwilioStatus({ ...good, headers: { 'x-twilio-signature': 'AAAA' } }, twilioApi.authToken)).toThrow('does not match');
    expect(() => parseTwilioStatus({ ...good, body: { ...good.body, MessageStatus: 'failed' } }, twilioApi.authToken)).toThrow('does not match');
    expect(() => parseTwilioStatus({ ...good, url: url.replace(DEALER, '22222222-2222-4222-8222-222222222222') }, twilioApi.authToken)).toThrow('does not match');
    expect(() => parseTwilioStatus(good, 'another-accounts-token')).toThrow('does not match');
    expect(() => parseTwilioStatus(good, undefined)).toThrow('cannot be verified');
  });

  it("also accepts the dealer's own callback URL (a proxy in front of the host) with the query Twilio called", () => {
    const proxied = request('delivered', {}, `https://sms-hooks.dealer.test/twilio?dealer=${DEALER}&message=m-1`);
    const seenByHost = { ...proxied, url: `${PUBLIC_URL}/hooks/twilio/status?dealer=${DEALER}&message=m-1` };
    expect(() => parseTwilioStatus(seenByHost, twilioApi.authToken)).toThrow('does not match');
    expect(parseTwilioStatus(seenByHost, twilioApi.authToken, 'https://sms-hooks.dealer.test/twilio')).toHaveLength(1);
  });

  it('is what the client parses with its own token; the sandbox client cannot verify any', async () => {
    const client = (await smsChannel.createClient(contextFor(settingsFor()))) as TwilioSmsClient;
    expect(client.parseStatusWebhook(request('delivered'))).toHaveLength(1);
    await client.close();
    expect(() => new SandboxSmsClient({}).parseStatusWebhook(request('delivered'))).toThrow('cannot be verified');
  });
});

describe('settings', () => {
  it('goes to the sandbox without any credentials, pricing segments as it would send them', async () => {
    const before = twilioApi.requests.length;
    const client = await smsChannel.createClient(makeTestContext<SmsSettings>({ pricePerSegmentCents: 9 }));
    expect(await client.send!(sms('+31612345678', 'a'.repeat(161)), { idempotencyKey: 'k' })).toEqual({ status: 'sent', sandbox: true, units: 2, costCents: 18 });
    expect(twilioApi.requests.length).toBe(before);
  });

  it('refuses to build a client from half the credentials, naming what is missing', () => {
    expect(() => smsChannel.createClient(makeTestContext<SmsSettings>({ accountSid: twilioApi.accountSid, authToken: twilioApi.authToken }))).toThrow(
      'the SMS channel needs from besides accountSid and authToken',
    );
  });
});

describe('resultOfTwilioError', () => {
  const http = (status: number, code?: number, message = 'x') => Object.assign(new Error(message), { status, code });
  const net = (code: string) => Object.assign(new Error(code), { code });

  it('maps refusals to failed, pressure and outages to retry, and answers lost after sending to unknown', () => {
    expect(resultOfTwilioError(http(400, 21211)).status).toBe('failed');
    expect(resultOfTwilioError(http(400, 21614)).status).toBe('failed');
    expect(resultOfTwilioError(http(403, 20003)).status).toBe('failed');
    expect(resultOfTwilioError(http(400, 21611)).status).toBe('retry');
    expect(resultOfTwilioError(http(429, 20429)).status).toBe('retry');
    expect(resultOfTwilioError(http(401, 20003)).status).toBe('retry');
    expect(resultOfTwilioError(http(500)).status).toBe('retry');
    expect(resultOfTwilioError(http(502)).status).toBe('retry');
    expect(resultOfTwilioError(http(503)).status).toBe('retry');
    expect(resultOfTwilioError(http(504)).status).toBe('unknown');
    expect(resultOfTwilioError(net('ECONNREFUSED')).status).toBe('retry');
    expect(resultOfTwilioError(net('ENOTFOUND')).status).toBe('retry');
    expect(resultOfTwilioError(net('ECONNABORTED'), 7)).toEqual({ status: 'unknown', reason: 'no answer from Twilio within 7s' });
    expect(resultOfTwilioError(net('ECONNRESET')).status).toBe('unknown');
    expect(resultOfTwilioError(new Error('socket hang up')).status).toBe('unknown');
  });
});
