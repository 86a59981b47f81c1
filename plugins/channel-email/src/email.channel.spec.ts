import type { ChannelClient, OutgoingMessage } from '@forecourt/sdk';
import { makeTestContext, runChannelContract } from '@forecourt/sdk';
import { randomUUID } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { LoopbackSmtp, startSmtpServer } from '../../../test/support/smtp-server';
import emailChannel, { EmailSettings, messageIdFor, resultOfSmtpError } from './index';

const DEALER = '11111111-1111-4111-8111-111111111111';

const email = (to: string | undefined, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: randomUUID(),
  dealerId: DEALER,
  channel: 'email',
  to: { name: 'Anna de Vries', email: to, locale: 'nl' },
  from: { name: 'Autohaus Vela', email: 'service@vela.test' },
  subject: 'Uw APK',
  html: '<p>Beste Anna, uw auto moet voor de APK.</p>',
  text: 'Beste Anna, uw auto moet voor de APK.',
  headers: {
    'List-Unsubscribe': '<https://forecourt.example.test/u/token>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  ...extra,
});

let smtp: LoopbackSmtp;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.stop());

const settingsFor = (extra: EmailSettings = {}): EmailSettings => ({ smtpUrl: smtp.url, timeoutSeconds: 5, ...extra });

runChannelContract('email over SMTP to a real SMTP server on loopback', {
  definition: emailChannel,
  settings: () => settingsFor(),
  sampleMessage: () => email('anna@example.test'),
  deliveries: () => smtp.received.length,
  expectDelivered: async (result, message) => {
    expect(result).toEqual({ status: 'sent', providerId: `<${message.id}@vela.test>`, units: 1, costCents: 0 });
    const parsed = await Promise.all(smtp.received.map((m) => smtp.parse(m)));
    expect(parsed.map((p) => p.messageId)).toContain(`<${message.id}@vela.test>`);
  },
});

runChannelContract('email sandbox (no SMTP URL)', {
  definition: emailChannel,
  settings: {},
  sampleMessage: () => email('anna@example.test'),
  expectDelivered: (result, message) => expect(result).toEqual({ status: 'sent', sandbox: true, providerId: `<${message.id}@vela.test>`, units: 1, costCents: 0 }),
});

describe('the email channel', () => {
  it('declares the email channel, reaching email addresses under the email consent', () => {
    expect(emailChannel).toMatchObject({ kind: 'channel', channel: 'email', reach: 'email', consentChannel: 'email', unitCostCents: 0 });
  });

  it("makes the Message-ID of the message id and the sender's domain", () => {
    expect(messageIdFor('6d0f7c1e-3b7a-4c55-9a43-1d2a3b4c5d6e', 'service@Vela.test')).toBe('<6d0f7c1e-3b7a-4c55-9a43-1d2a3b4c5d6e@vela.test>');
    expect(messageIdFor('m 1<>', 'noreply@localhost')).toBe('<m-1--@localhost>');
    expect(messageIdFor('m1', 'not-an-address')).toBe('<m1@localhost>');
  });
});

describe('sending over SMTP', () => {
  let client: ChannelClient;
  let context: ReturnType<typeof makeTestContext<EmailSettings>>;
  const password = 'a-long-smtp-password';

  beforeAll(async () => {
    // The loopback server offers no AUTH, so nodemailer does not log in: the password is there to be kept out of the logs.
    context = makeTestContext<EmailSettings>(settingsFor({ smtpUrl: smtp.url.replace('smtp://', `smtp://relay:${password}@`), timeoutSeconds: 1, pricePerEmailCents: 2 }), { dealerId: DEALER });
    client = await emailChannel.createClient(context);
  });
  afterAll(() => client.close?.());
  afterEach(() => {
    smtp.options = {};
  });

  const send = (message: OutgoingMessage) => client.send!(message, { idempotencyKey: message.id });
  const receivedBy = (address: string) => smtp.received.filter((m) => m.to.includes(address));

  it('sends multipart text and HTML from the dealer, with the Message-ID and the List-Unsubscribe headers', async () => {
    const message = email('bert@example.test');
    expect(await send(message)).toEqual({ status: 'sent', providerId: `<${message.id}@vela.test>`, units: 1, costCents: 2 });
    const [mail] = receivedBy('bert@example.test');
    expect(mail.from).toBe('service@vela.test');
    const parsed = await smtp.parse(mail);
    expect(parsed.messageId).toBe(`<${message.id}@vela.test>`);
    expect(parsed.from).toMatchObject({ name: 'Autohaus Vela', address: 'service@vela.test' });
    expect(parsed.to).toEqual([expect.objectContaining({ name: 'Anna de Vries', address: 'bert@example.test' })]);
    expect(parsed.subject).toBe('Uw APK');
    expect(parsed.html).toContain('<p>Beste Anna, uw auto moet voor de APK.</p>');
    expect(parsed.text?.trim()).toBe('Beste Anna, uw auto moet voor de APK.');
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header('content-type')).toMatch(/^multipart\/alternative/);
    expect(header('list-unsubscribe')).toBe('<https://forecourt.example.test/u/token>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('sends from the default sender when the message has none, and keeps its own Message-ID over a rendered one', async () => {
    const message = email('carla@example.test', { from: undefined, headers: { 'Message-ID': '<forged@evil.test>', 'X-Campaign': 'apk' } });
    const withDefault = await emailChannel.createClient(makeTestContext<EmailSettings>(settingsFor({ mailFrom: 'post@forecourt.test' })));
    expect(await withDefault.send!(message, { idempotencyKey: message.id })).toMatchObject({ status: 'sent', providerId: `<${message.id}@forecourt.test>` });
    await withDefault.close?.();
    const parsed = await smtp.parse(receivedBy('carla@example.test')[0]);
    expect(parsed.from).toMatchObject({ address: 'post@forecourt.test' });
    expect(parsed.messageId).toBe(`<${message.id}@forecourt.test>`);
    expect(parsed.headers.find((h) => h.key === 'x-campaign')?.value).toBe('apk');
  });

  it('fails a message without an address, with a malformed one or without content, asking no server', async () => {
    const before = smtp.rcptReplies.length;
    expect(await send(email(undefined))).toEqual({ status: 'failed', reason: 'the recipient has no email address' });
    expect(await send(email('anna at example.test'))).toEqual({ status: 'failed', reason: '"anna at example.test" is not an email address' });
    expect(await send(email('anna@example.test', { html: undefined, text: undefined }))).toEqual({ status: 'failed', reason: 'the message has no content (neither HTML nor text)' });
    expect(smtp.rcptReplies.length).toBe(before);
  });

  it('fails on a permanent 5xx rejection, with the server reason', async () => {
    smtp.options = { reject: { 'gone@example.test': { code: 550, message: '5.1.1 No such user here' } } };
    expect(await send(email('gone@example.test'))).toEqual({ status: 'failed', reason: 'the SMTP server refused the message: 550 5.1.1 No such user here' });
    expect(receivedBy('gone@example.test')).toHaveLength(0);
  });

  it('retries a 4xx reply, and then sends it once with the same idempotency key', async () => {
    smtp.options = { reject: { 'busy@example.test': { code: 451, message: '4.3.0 Mailbox busy, try later', times: 1 } } };
    const message = email('busy@example.test');
    expect(await send(message)).toEqual({ status: 'retry', reason: 'the SMTP server asked to try later: 451 4.3.0 Mailbox busy, try later' });
    expect(await send(message)).toMatchObject({ status: 'sent' });
    expect(await send(message)).toMatchObject({ status: 'sent' });
    expect(receivedBy('busy@example.test')).toHaveLength(1);
  });

  it('answers unknown when the server read the message and never answered, and does not send it again', async () => {
    smtp.options = { stallAfterData: ['stall@example.test'] };
    const message = email('stall@example.test');
    const started = Date.now();
    expect(await send(message)).toEqual({
      status: 'unknown',
      reason: 'no answer from the SMTP server within 1s after the message was sent (timeout); it may have been delivered',
    });
    expect(Date.now() - started).toBeLessThan(4000);
    smtp.options = {};
    expect(await send(message)).toMatchObject({ status: 'unknown' });
    expect(smtp.stalled.filter((m) => m.to.includes('stall@example.test'))).toHaveLength(1);
  });

  it('never logs the SMTP password', () => {
    expect(context.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(context.logs)).not.toContain(password);
    expect(JSON.stringify(context.logs)).not.toContain('example.test');
  });

  it('reports the health of its server', async () => {
    expect(await client.health!()).toEqual({ ok: true });
  });
});

/**
 * A scripted SMTP server speaking the protocol on a raw socket, for what a well-behaved server
 * never does: never greeting, dropping the connection before or after the message.
 */
async function scriptedServer(behaviour: 'silent' | 'drop-at-rcpt' | 'drop-after-data'): Promise<{ url: string; got: string[]; close(): Promise<void> }> {
  const got: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (behaviour === 'silent') return;
    socket.write('220 scripted ESMTP\r\n');
    let buffer = '';
    let inData = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          got.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.destroy();
          return;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 scripted\r\n');
        else if (line.startsWith('MAIL FROM')) socket.write('250 OK\r\n');
        else if (line.startsWith('RCPT TO')) {
          if (behaviour === 'drop-at-rcpt') return void socket.destroy();
          socket.write('250 OK\r\n');
        } else if (line === 'DATA') {
          socket.write('354 go ahead\r\n');
          inData = true;
        } else if (line === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('connections that break', () => {
  const sendTo = async (settings: EmailSettings) => {
    const client = await emailChannel.createClient(makeTestContext<EmailSettings>({ timeoutSeconds: 1, ...settings }));
    try {
      return await client.send!(email('anna@example.test'), { idempotencyKey: randomUUID() });
    } finally {
      await client.close?.();
    }
  };

  it('retries when the server refuses the connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await sendTo({ smtpUrl: `smtp://127.0.0.1:${port}` })).toEqual({
      status: 'retry',
      reason: 'the SMTP server could not be reached or dropped the connection before the message was sent (ECONNREFUSED)',
    });
  });

  it('retries when the server never greets', async () => {
    const server = await scriptedServer('silent');
    try {
      expect(await sendTo({ smtpUrl: server.url })).toEqual({
        status: 'retry',
        // nodemailer arms its greeting and idle timers with the same length, so either may fire first.
        reason: expect.stringMatching(/^the SMTP server could not be reached or dropped the connection before the message was sent \((greeting|socket) timeout\)$/),
      });
    } finally {
      await server.close();
    }
  });

  it('retries when the connection drops before DATA', async () => {
    const server = await scriptedServer('drop-at-rcpt');
    try {
      expect(await sendTo({ smtpUrl: server.url })).toMatchObject({ status: 'retry', reason: expect.stringContaining('before the message was sent') });
      expect(server.got).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('answers unknown when the connection drops after the message was sent', async () => {
    const server = await scriptedServer('drop-after-data');
    try {
      expect(await sendTo({ smtpUrl: server.url })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('broke after the message was sent') });
      expect(server.got).toHaveLength(1);
      expect(server.got[0]).toContain('Subject: Uw APK');
    } finally {
      await server.close();
    }
  });
});

describe('resultOfSmtpError', () => {
  const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error('x'), fields);

  it('fails a 5xx to the message, retries a 5xx to the session, a 4xx, a refused login and anything before the content', () => {
    expect(resultOfSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no such user', command: 'RCPT TO' }), false, 60).status).toBe('failed');
    expect(resultOfSmtpError(smtpError({ code: 'EMESSAGE', responseCode: 554, response: '554 spam', command: 'DATA' }), true, 60).status).toBe('failed');
    expect(resultOfSmtpError(smtpError({ code: 'EPROTOCOL', responseCode: 554, response: '554 no service', command: 'CONN' }), false, 60).status).toBe('retry');
    expect(resultOfSmtpError(smtpError({ code: 'EAUTH', responseCode: 535, response: '535 bad login', command: 'AUTH PLAIN' }), false, 60)).toEqual({
      status: 'retry',
      reason: 'the SMTP server refused the login (535 bad login); the email settings need checking',
    });
    expect(resultOfSmtpError(smtpError({ code: 'EENVELOPE', responseCode: 452, response: '452 too many', command: 'RCPT TO' }), false, 60).status).toBe('retry');
    expect(resultOfSmtpError(smtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 later', command: 'DATA' }), true, 60).status).toBe('retry');
    expect(resultOfSmtpError(smtpError({ code: 'ECONNECTION', command: 'CONN' }), false, 60).status).toBe('retry');
    expect(resultOfSmtpError(smtpError({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }), false, 60).status).toBe('retry');
  });

  it('answers unknown for a timeout or a broken connection once the content went out', () => {
    expect(resultOfSmtpError(smtpError({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }), true, 7)).toEqual({
      status: 'unknown',
      reason: 'no answer from the SMTP server within 7s after the message was sent (timeout); it may have been delivered',
    });
    expect(resultOfSmtpError(smtpError({ code: 'ESOCKET', originalCode: 'ECONNRESET', command: 'CONN' }), true, 7).status).toBe('unknown');
  });
});
