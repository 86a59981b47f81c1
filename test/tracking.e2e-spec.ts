import { TenantDb } from '../apps/host/src/database/tenant-db.service';
import { DispatchWorker } from '../apps/host/src/dispatch/dispatch.worker';
import { NewMessage } from '../apps/host/src/dispatch/message.types';
import { OutboxService } from '../apps/host/src/dispatch/outbox.service';
import { LinkTokens, urlHash } from '../apps/host/src/rendering/link-tokens';
import { createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { LoopbackSmtp, startSmtpServer } from './support/smtp-server';
import { startTestApp, TestApp } from './support/test-app';

const BOOKING = 'https://booking.vela.test/apk?plate=AB-12-CD&utm=mail';

/**
 * The open pixel and the click redirect, on the links of an email as the SMTP server received it:
 * events recorded in the dealer's data room, statuses only moving up, redirects only to the
 * message's own links.
 */
describe('tracking: open pixel and click redirect', () => {
  let smtp: LoopbackSmtp;
  let t: TestApp;
  let net: NetworkFixture;
  let tokens: LinkTokens;
  let messageId: string;
  let pixel: string;
  let clicks: string[];
  let html: string;
  const savedSmtpUrl = process.env.SMTP_URL;

  const message = (to: string, extra: Partial<NewMessage> = {}): NewMessage => ({
    dedupeKey: `tracking:${to}`,
    channel: 'email',
    template: 'inspection-reminder/invite',
    locale: 'nl',
    recipient: { name: 'Anna de Vries', email: to, locale: 'nl' },
    data: { vehicles: [{ licensePlate: 'AB-12-CD', inspectionDueDate: '2027-01-15' }], links: { booking: BOOKING } },
    ...extra,
  });
  const enqueue = (dealerId: string, messages: NewMessage[]) =>
    t.app.get(TenantDb).run(dealerId, (m) => t.app.get(OutboxService).enqueue(m, dealerId, messages));
  const events = (id: string) => t.ownerQuery<{ type: string; data: Record<string, unknown> }>('SELECT type, data FROM message_events WHERE message_id = $1 ORDER BY id', [id]);
  const status = async (id: string) => (await t.ownerQuery<{ status: string }>('SELECT status FROM messages WHERE id = $1', [id]))[0].status;
  /** A path of this host from a link in the email. */
  const path = (url: string) => url.slice(t.config.publicUrl.length);
  /** Changes one character in the middle of a token. */
  const tamper = (url: string) => {
    const at = url.length - 10;
    return url.slice(0, at) + (url[at] === 'A' ? 'B' : 'A') + url.slice(at + 1);
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
    t = await startTestApp(FIXTURE_ENV);
    net = await createNetwork(t);
    tokens = t.app.get(LinkTokens);
    const [written] = await enqueue(net.dealerA.id, [message('anna@a.test')]);
    messageId = written.id;
    await t.app.get(DispatchWorker).drain({ dealerIds: [net.dealerA.id] });
    const parsed = await smtp.parse(smtp.received.find((m) => m.to.includes('anna@a.test'))!);
    html = parsed.html ?? '';
    pixel = [...html.matchAll(/src="([^"]*\/t\/o\/[^"]+)"/g)].map((m) => m[1])[0];
    clicks = [...html.matchAll(/href="([^"]*\/t\/c\/[^"]+)"/g)].map((m) => m[1]);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    if (savedSmtpUrl === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = savedSmtpUrl;
  });

  it('puts a pixel and tracked links into the email, leaving the preference links alone', async () => {
    expect(await status(messageId)).toBe('sent');
    expect(pixel).toMatch(new RegExp(`^${t.config.publicUrl}/t/o/[A-Za-z0-9_-]+$`));
    expect(clicks.length).toBeGreaterThanOrEqual(1);
    expect(clicks.every((c) => c.startsWith(`${t.config.publicUrl}/t/c/`))).toBe(true);
    expect(html).toMatch(new RegExp(`href="${t.config.publicUrl}/p/[A-Za-z0-9_-]+"`));
    expect(html).not.toContain(BOOKING.replace(/&/g, '&amp;'));
  });

  it('HEAD on the pixel answers the GIF and records nothing', async () => {
    const res = await t.http().head(path(pixel));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(await events(messageId)).toEqual([]);
    expect(await status(messageId)).toBe('sent');
  });

  it('answers the open pixel with an uncached 1×1 GIF and records one open per request', async () => {
    const res = await t.http().get(path(pixel)).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toMatch(/no-store/);
    expect(res.body.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(res.body.readUInt16LE(6)).toBe(1);
    expect(res.body.readUInt16LE(8)).toBe(1);
    expect(await events(messageId)).toEqual([{ type: 'open', data: {} }]);
    expect(await status(messageId)).toBe('opened');
    await t.http().get(path(pixel));
    expect((await events(messageId)).map((e) => e.type)).toEqual(['open', 'open']);
  });

  it('answers a tampered pixel token with the GIF all the same, recording nothing', async () => {
    const before = (await events(messageId)).length;
    const res = await t.http().get(path(tamper(pixel)));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect((await t.http().get('/t/o/not-a-token')).status).toBe(200);
    expect(await events(messageId)).toHaveLength(before);
  });

  it('HEAD on a click link redirects and records nothing', async () => {
    const res = await t.http().head(path(clicks[0])).redirects(0);
    expect(res.status).toBe(302);
    expect((await events(messageId)).filter((e) => e.type === 'click')).toEqual([]);
  });

  it("redirects a click to the message's own link, records it and moves the message to clicked", async () => {
    const targets: string[] = [];
    for (const click of clicks) {
      const res = await t.http().get(path(click)).redirects(0);
      expect(res.status).toBe(302);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      targets.push(res.headers.location);
    }
    expect(targets).toContain(BOOKING);
    const recorded = (await events(messageId)).filter((e) => e.type === 'click');
    expect(recorded.map((e) => e.data.index)).toEqual(clicks.map((_, i) => i));
    expect(await status(messageId)).toBe('clicked');
    // A later open is recorded, but does not move the message back.
    await t.http().get(path(pixel));
    expect((await events(messageId)).at(-1)!.type).toBe('open');
    expect(await status(messageId)).toBe('clicked');
  });

  it('answers 404 for a tampered click token, an open token and a token for a link the message does not have', async () => {
    const before = (await events(messageId)).length;
    const tampered = await t.http().get(path(tamper(clicks[0]))).redirects(0);
    expect(tampered.status).toBe(404);
    expect(tampered.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tampered.body).toMatchObject({ status: 404, title: expect.any(String), detail: expect.any(String) });
    expect((await t.http().get(`/t/c/${pixel.split('/t/o/')[1]}`).redirects(0)).status).toBe(404);
    // Signed with the host's own key: still only the message's own links are ever a target.
    const elsewhere = tokens.sign('click', { dealerId: net.dealerA.id, messageId, index: 0, urlHash: urlHash('https://evil.test/') });
    expect((await t.http().get(`/t/c/${elsewhere}`).redirects(0)).status).toBe(404);
    expect(await events(messageId)).toHaveLength(before);
  });

  it('finds a link by its URL hash when its position changed', async () => {
    const moved = tokens.sign('click', { dealerId: net.dealerA.id, messageId, index: 40, urlHash: urlHash(BOOKING) });
    const res = await t.http().get(`/t/c/${moved}`).redirects(0);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(BOOKING);
  });

  it("does not reach a message through another dealer's id", async () => {
    const before = (await events(messageId)).length;
    const crossed = tokens.sign('click', { dealerId: net.dealerB.id, messageId, index: 0, urlHash: urlHash(BOOKING) });
    expect((await t.http().get(`/t/c/${crossed}`).redirects(0)).status).toBe(404);
    expect((await t.http().get(`/t/o/${tokens.sign('open', { dealerId: net.dealerB.id, messageId })}`)).status).toBe(200);
    expect(await events(messageId)).toHaveLength(before);
  });

  it('records nothing for a message that has not gone out (a dealer previewing it)', async () => {
    const [queued] = await enqueue(net.dealerA.id, [message('later@a.test', { notBefore: new Date(Date.now() + 3600_000) })]);
    expect((await t.http().get(`/t/o/${tokens.sign('open', { dealerId: net.dealerA.id, messageId: queued.id })}`)).status).toBe(200);
    const click = await t.http().get(`/t/c/${tokens.sign('click', { dealerId: net.dealerA.id, messageId: queued.id, index: 0, urlHash: urlHash(BOOKING) })}`).redirects(0);
    expect(click.status).toBe(302);
    expect(await events(queued.id)).toEqual([]);
    expect(await status(queued.id)).toBe('queued');
  });
});
