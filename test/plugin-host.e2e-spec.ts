import { ChannelDefinition, OutgoingMessage, runChannelContract, SDK_VERSION } from '@forecourt/sdk';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry } from '../apps/host/src/plugin-host/plugin-registry.service';
import { bearer, createNetwork, FIXTURE_ENV, NetworkFixture } from './support/network.fixture';
import { startTestApp, TestApp } from './support/test-app';

/** The example of plugins/README.md, kept as files so the host can load it. */
const EXAMPLE = join(__dirname, 'fixtures', 'webhook-channel');
const SECRET = 'whsec-e2e-0123456789-abcdef';
const ROTATED = 'whsec-e2e-rotated-9876543210';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A dealer's system on loopback: takes every POST and answers 200. */
async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/forecourt`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function signedWith(secret: string, r: Received): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-forecourt-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sample(dealerId = '00000000-0000-4000-8000-000000000001'): OutgoingMessage {
  return {
    id: randomUUID(),
    dealerId,
    channel: 'webhook',
    to: { name: 'Anna de Vries', email: 'anna@example.test', locale: 'nl' },
    subject: 'Uw APK-keuring komt eraan',
    html: '<p>Beste Anna, uw auto moet binnenkort gekeurd worden.</p>',
    text: 'Beste Anna, uw auto moet binnenkort gekeurd worden.',
  };
}

/** A fenced block of the guide, found by the marker comment above it. */
function exampleBlock(readme: string, file: string): string | undefined {
  const marker = `<!-- example: webhook-channel/${file} -->\n`;
  const start = readme.indexOf(marker);
  if (start < 0) return undefined;
  const fence = /^```[a-z]*\n([\s\S]*?)^```$/m.exec(readme.slice(start + marker.length));
  return fence?.[1];
}

/** Plugin folders that must not take the host down, each with the reason it is reported with. */
function writeBrokenPlugins(root: string): Record<string, { dir: string; id: string; reason: RegExp }> {
  const write = (name: string, files: Record<string, string>) => {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    return dir;
  };
  const manifest = (forecourt: Record<string, unknown>) =>
    JSON.stringify({ name: forecourt.id, version: '1.0.0', main: 'index.js', forecourt: { kind: 'channel', sdk: '^1.0.0', displayName: 'Broken', description: 'for the test', ...forecourt } });
  const channel = "const { defineChannel } = require('@forecourt/sdk');\nmodule.exports = defineChannel({ channel: 'never', reach: 'email', consentChannel: 'email', unitCostCents: 0, createClient: () => ({}) });\n";
  return {
    invalidManifest: {
      dir: write('invalid-manifest', { 'package.json': manifest({ id: 'Channel_Broken', description: undefined }), 'index.js': channel }),
      id: 'Channel_Broken',
      reason: /^forecourt\.description: is required; forecourt\.id: must be kebab-case/,
    },
    futureSdk: {
      dir: write('future-sdk', { 'package.json': manifest({ id: 'channel-future', sdk: '^9.0.0' }), 'index.js': channel }),
      id: 'channel-future',
      reason: new RegExp(`^forecourt\\.sdk: needs SDK \\^9\\.0\\.0, the host provides ${SDK_VERSION.replace(/\./g, '\\.')}$`),
    },
    throwsOnLoad: {
      dir: write('throws-on-load', { 'package.json': manifest({ id: 'channel-throws' }), 'index.js': "throw new Error('the vendor SDK is missing');\n" }),
      id: 'channel-throws',
      reason: /^failed to load: the vendor SDK is missing$/,
    },
    notJson: {
      dir: write('not-json', { 'package.json': '{ "name": "not-json", "forecourt": { "id": "channel-not-json", ', 'index.js': channel }),
      id: 'not-json',
      reason: /^package\.json is not valid JSON: /,
    },
  };
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

describe('the plugin author guide (plugins/README.md)', () => {
  it('shows exactly the webhook example the tests install', () => {
    const readme = readFileSync(join(__dirname, '..', 'plugins', 'README.md'), 'utf8');
    for (const file of ['package.json', 'index.js']) {
      expect({ file, code: exampleBlock(readme, file) }).toEqual({ file, code: readFileSync(join(EXAMPLE, file), 'utf8') });
    }
  });
});

// The guide's contract-kit example, run on the guide's plugin.
runChannelContract('webhook example', {
  definition: require(join(EXAMPLE, 'index.js')) as ChannelDefinition,
  settings: () => ({ url: receiver.url, secret: 'a-long-shared-signing-secret', timeoutSeconds: 5 }),
  sampleMessage: () => sample(),
  deliveries: () => receiver.received.length,
  expectDelivered: (result, message) => {
    expect(result.status).toBe('sent');
    expect(receiver.received.map((r) => JSON.parse(r.body).id)).toContain(message.id);
  },
});

describe('plugin host: a plugin from a folder, broken plugins, per-dealer installations', () => {
  let t: TestApp;
  let net: NetworkFixture;
  let root: string;
  let broken: ReturnType<typeof writeBrokenPlugins>;
  const installation = () => `/api/dealers/${net.dealerA.id}/plugins/channel-webhook`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'forecourt-plugins-'));
    const webhook = join(root, 'channel-webhook');
    cpSync(EXAMPLE, webhook, { recursive: true });
    broken = writeBrokenPlugins(root);
    const folders = [webhook, ...Object.values(broken).map((b) => b.dir)];
    t = await startTestApp({ FORECOURT_PLUGINS: folders.join(','), ...FIXTURE_ENV });
    net = await createNetwork(t);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the example from FORECOURT_PLUGINS as an enabled channel', async () => {
    const res = await t.http().get('/api/plugins').set(bearer(net.dealerA.adminToken));
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual(
      expect.objectContaining({ id: 'channel-webhook', kind: 'channel', channel: 'webhook', version: '1.0.0', state: 'enabled', displayName: 'Webhook' }),
    );
  });

  it('stays up with broken plugin folders and lists each as disabled with the reason', async () => {
    const health = await t.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const res = await t.http().get('/api/plugins').set(bearer(net.adminToken));
    for (const b of Object.values(broken)) {
      const listed = res.body.filter((p: { id: string }) => p.id === b.id);
      expect(listed).toEqual([expect.objectContaining({ state: 'disabled', reason: expect.stringMatching(b.reason) })]);
      expect(health.body.plugins.disabled).toContainEqual({ id: b.id, reason: expect.stringMatching(b.reason) });
    }
  });

  it("installs the example for dealer A: the secret is neither returned nor stored in plain text", async () => {
    const put = await t
      .http()
      .put(installation())
      .set(bearer(net.dealerA.adminToken))
      .send({ enabled: true, settings: { url: receiver.url, secret: SECRET } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'channel-webhook', state: 'enabled', enabled: true, settings: { url: receiver.url, secret: { set: true } } });
    expect(put.body.settingsSchema.properties.secret).toMatchObject({ secret: true });
    expect(put.text).not.toContain(SECRET);

    const list = await t.http().get(`/api/dealers/${net.dealerA.id}/plugins`).set(bearer(net.dealerA.adminToken));
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(SECRET);
    expect(list.body.find((p: { id: string }) => p.id === 'channel-webhook')).toMatchObject({
      state: 'enabled',
      settings: { url: receiver.url, secret: { set: true } },
    });
    expect(list.body.find((p: { id: string }) => p.id === 'channel-future')).toMatchObject({ state: 'disabled', reason: expect.stringMatching(broken.futureSdk.reason) });

    const rows = await t.ownerQuery<{ settings: Record<string, unknown>; secrets: string }>(
      'SELECT settings, secrets FROM plugin_installations WHERE plugin_id = $1 AND dealer_id = $2',
      ['channel-webhook', net.dealerA.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].settings).toEqual({ url: receiver.url });
    expect(rows[0].secrets).toMatch(/^v1:/);
    const everything = JSON.stringify(await t.ownerQuery('SELECT * FROM plugin_installations'));
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(Buffer.from(SECRET).toString('base64'));
  });

  it('sends through the client the host builds for dealer A, signed with the secret', async () => {
    const client = await t.app.get(PluginRegistry).clientFor('webhook', net.dealerA.id);
    const message = sample(net.dealerA.id);
    const before = receiver.received.length;
    await expect(client.send!(message, { idempotencyKey: message.id })).resolves.toEqual({ status: 'sent', costCents: 0 });
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0].body)).toMatchObject({ id: message.id, dealerId: net.dealerA.id, to: message.to, subject: message.subject, html: message.html });
    expect(got[0].headers['idempotency-key']).toBe(message.id);
    expect(signedWith(SECRET, got[0])).toBe(true);
    expect(signedWith(ROTATED, got[0])).toBe(false);

    // Asked again for the same message, the plugin answers from its store: nothing is posted twice.
    await expect(client.send!(message, { idempotencyKey: message.id })).resolves.toEqual({ status: 'sent', costCents: 0 });
    expect(receiver.received.length).toBe(before + 1);
  });

  it('builds a new client when the settings change; an omitted secret is kept, null clears it', async () => {
    const registry = t.app.get(PluginRegistry);
    const first = await registry.clientFor('webhook', net.dealerA.id);
    expect(await registry.clientFor('webhook', net.dealerA.id)).toBe(first);

    const rotate = await t.http().put(installation()).set(bearer(net.adminToken)).send({ settings: { url: receiver.url, secret: ROTATED } });
    expect(rotate.status).toBe(200);
    const rotated = await registry.clientFor('webhook', net.dealerA.id);
    expect(rotated).not.toBe(first);
    const message = sample(net.dealerA.id);
    await rotated.send!(message, { idempotencyKey: message.id });
    expect(signedWith(ROTATED, receiver.received[receiver.received.length - 1])).toBe(true);

    // Settings without the secret (or with it as GET shows it) keep it; the timeout changes, so does the client.
    const keep = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ settings: { url: receiver.url, timeoutSeconds: 3 } });
    expect(keep.status).toBe(200);
    expect(keep.body.settings).toEqual({ url: receiver.url, timeoutSeconds: 3, secret: { set: true } });
    const roundTrip = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ settings: keep.body.settings });
    expect(roundTrip.body.settings).toEqual(keep.body.settings);
    const kept = await registry.clientFor('webhook', net.dealerA.id);
    expect(kept).not.toBe(rotated);
    const next = sample(net.dealerA.id);
    await kept.send!(next, { idempotencyKey: next.id });
    expect(signedWith(ROTATED, receiver.received[receiver.received.length - 1])).toBe(true);

    // null clears the secret; the webhook requires one, so the change is refused and names it.
    const cleared = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ settings: { url: receiver.url, secret: null } });
    expect(cleared.status).toBe(400);
    expect(cleared.body.errors).toEqual([{ field: 'settings.secret', message: 'is required' }]);
  });

  it('refuses invalid settings naming each field, without echoing a secret', async () => {
    const res = await t
      .http()
      .put(installation())
      .set(bearer(net.dealerA.adminToken))
      .send({ settings: { url: 'not a url', secret: 'short-secret', timeoutSeconds: 0, colour: 'red' } });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['settings.url', 'settings.secret', 'settings.timeoutSeconds', 'settings.colour']));
    expect(res.body.errors).toContainEqual({ field: 'settings.colour', message: 'is not a setting of this plugin' });
    expect(res.body.errors).toContainEqual({ field: 'settings.timeoutSeconds', message: 'must be >= 1' });
    expect(res.text).not.toContain('short-secret');
    const body = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ enabled: 'yes' });
    expect(body.status).toBe(400);
    expect(body.body.errors).toContainEqual(expect.objectContaining({ field: 'enabled' }));
  });

  it("keeps dealer A's installation from dealer B, brand admins and dealer users", async () => {
    const before = await t.ownerQuery('SELECT * FROM plugin_installations WHERE dealer_id = $1', [net.dealerA.id]);
    const asB = bearer(net.dealerB.adminToken);
    expect((await t.http().get(`/api/dealers/${net.dealerA.id}/plugins`).set(asB)).status).toBe(404);
    const put = await t.http().put(installation()).set(asB).send({ enabled: false, settings: { url: 'http://127.0.0.1:9/steal', secret: 'another-long-secret-value' } });
    expect(put.status).toBe(404);
    expect(put.text).not.toContain(receiver.url);
    expect((await t.http().get(`/api/dealers/${net.dealerA.id}/plugins`).set(bearer(net.brandAdminToken))).status).toBe(404);
    expect((await t.http().get(`/api/dealers/${net.dealerA.id}/plugins`).set(bearer(net.dealerA.userToken))).status).toBe(403);
    expect((await t.http().put(installation()).set('X-Api-Key', net.dealerA.apiKey).send({ enabled: false })).status).toBe(403);
    expect(await t.ownerQuery('SELECT * FROM plugin_installations WHERE dealer_id = $1', [net.dealerA.id])).toEqual(before);

    // B's own view shows nothing of A's settings; B's client is its own and not set up.
    const own = await t.http().get(`/api/dealers/${net.dealerB.id}/plugins`).set(asB);
    expect(own.status).toBe(200);
    expect(own.body.find((p: { id: string }) => p.id === 'channel-webhook')).toMatchObject({ state: 'enabled', settings: { secret: { set: false } } });
    expect(own.text).not.toContain(receiver.url);
    await expect(t.app.get(PluginRegistry).clientFor('webhook', net.dealerB.id)).rejects.toMatchObject({
      sendStatus: 'failed',
      message: expect.stringContaining('settings.url: is required'),
    });
  });

  it('answers 404 for unknown plugins and dealers, 409 for a plugin broken on this host', async () => {
    const admin = bearer(net.adminToken);
    expect((await t.http().put(`/api/dealers/${net.dealerA.id}/plugins/channel-nope`).set(admin).send({ enabled: true })).status).toBe(404);
    expect((await t.http().get(`/api/dealers/${randomUUID()}/plugins`).set(admin)).status).toBe(404);
    const brokenPut = await t.http().put(`/api/dealers/${net.dealerA.id}/plugins/channel-future`).set(admin).send({ enabled: true });
    expect(brokenPut.status).toBe(409);
    expect(brokenPut.body.detail).toContain('forecourt.sdk: needs SDK ^9.0.0');
  });

  it('switched off for a dealer, the channel is unavailable to it and reported so', async () => {
    const off = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ enabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ state: 'disabled', enabled: false, reason: 'switched off for this dealer', settings: { secret: { set: true } } });
    await expect(t.app.get(PluginRegistry).clientFor('webhook', net.dealerA.id)).rejects.toMatchObject({ sendStatus: 'failed' });
    const on = await t.http().put(installation()).set(bearer(net.dealerA.adminToken)).send({ enabled: true });
    expect(on.body).toMatchObject({ state: 'enabled', enabled: true });
    await expect(t.app.get(PluginRegistry).clientFor('webhook', net.dealerA.id)).resolves.toBeDefined();
  });
});
