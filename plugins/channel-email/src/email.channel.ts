import type { ChannelClient, OutgoingMessage, PluginContext, PluginLogger, SendResult } from '@forecourt/sdk';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import type { Readable } from 'node:stream';
import { resultOfSmtpError } from './smtp-outcome';

export const DEFAULT_MAIL_FROM = 'noreply@localhost';
export const DEFAULT_MAX_CONNECTIONS = 5;
export const DEFAULT_MESSAGES_PER_CONNECTION = 100;
export const DEFAULT_TIMEOUT_SECONDS = 60;

export interface EmailSettings {
  smtpUrl?: string;
  mailFrom?: string;
  maxConnections?: number;
  messagesPerConnection?: number;
  timeoutSeconds?: number;
  pricePerEmailCents?: number;
}

/** Headers the channel writes itself; rendering may not replace them. */
const OWN_HEADERS = new Set(['message-id', 'from', 'to', 'cc', 'bcc', 'subject', 'date', 'sender', 'reply-to', 'mime-version', 'content-type', 'content-transfer-encoding']);
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;
/** Sent results kept per client, so a repeated send of one key answers the first result. */
const REMEMBERED = 50_000;

export function isEmailAddress(value: string): boolean {
  return ADDRESS.test(value);
}

/** The domain of an address, for the Message-ID (`localhost` when it has none). */
export function domainOf(address: string | undefined): string {
  const domain = address?.split('@')[1]?.trim().toLowerCase();
  return domain && /^[a-z0-9.-]+$/.test(domain) ? domain : 'localhost';
}

/**
 * `<message id@sender's domain>`: the same for every attempt at one message, so receivers drop
 * a repeat and a bounce or a status lookup finds the message again.
 */
export function messageIdFor(id: string, senderAddress: string | undefined): string {
  return `<${id.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-')}@${domainOf(senderAddress)}>`;
}

function recipientProblem(message: OutgoingMessage): SendResult | undefined {
  const to = message.to.email?.trim();
  if (!to) return { status: 'failed', reason: 'the recipient has no email address' };
  if (!isEmailAddress(to)) return { status: 'failed', reason: `"${to}" is not an email address` };
  if (!message.html && !message.text) return { status: 'failed', reason: 'the message has no content (neither HTML nor text)' };
  return undefined;
}

/** The email as nodemailer composes it: sender, recipient, both bodies, rendering's headers, the stable Message-ID. */
export function mailOf(message: OutgoingMessage, mailFrom: string): SendMailOptions {
  const fromAddress = message.from?.email?.trim() || mailFrom;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!OWN_HEADERS.has(name.toLowerCase()) && typeof value === 'string') headers[name] = value;
  }
  return {
    messageId: messageIdFor(message.id, fromAddress),
    from: { name: message.from?.name?.trim() ?? '', address: fromAddress },
    to: { name: message.to.name?.trim() ?? '', address: message.to.email!.trim() },
    subject: message.subject ?? '',
    html: message.html,
    text: message.text,
    headers,
    // Content comes from the renderer; nothing in it may make nodemailer read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * Repeats of one idempotency key answer the first result while it is remembered: the outbox
 * already never hands one message to two sends, this covers a caller asking twice. Only `sent`
 * and `unknown` are kept: after `retry` or `failed` nothing went out, so sending again is safe.
 */
class SendMemo {
  private readonly results = new Map<string, Promise<SendResult>>();

  async once(key: string, send: () => Promise<SendResult>): Promise<SendResult> {
    const earlier = this.results.get(key);
    if (earlier) return earlier;
    const result = send();
    this.results.set(key, result);
    const settled = await result;
    if (settled.status === 'sent' || settled.status === 'unknown') {
      if (this.results.size > REMEMBERED) this.results.delete(this.results.keys().next().value!);
    } else {
      this.results.delete(key);
    }
    return settled;
  }
}

/** Sends over SMTP through a pooled nodemailer transport. */
export class SmtpEmailClient implements ChannelClient {
  private readonly transport: Transporter;
  private readonly memo = new SendMemo();
  /** The message streams nodemailer made for each Message-ID under way: read means DATA was accepted and the content went out. */
  private readonly streams = new Map<string, Readable[]>();
  private readonly timeoutSeconds: number;
  private readonly mailFrom: string;
  private readonly price: number;
  /** One send per pooled connection: the rest would wait inside nodemailer, already marked `sending`. */
  readonly maxInFlight: number;

  constructor(
    settings: EmailSettings & { smtpUrl: string },
    private readonly logger: PluginLogger,
  ) {
    this.timeoutSeconds = settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.mailFrom = settings.mailFrom ?? DEFAULT_MAIL_FROM;
    this.price = settings.pricePerEmailCents ?? 0;
    this.maxInFlight = settings.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    const timeout = this.timeoutSeconds * 1000;
    this.transport = createTransport({
      url: settings.smtpUrl,
      pool: true,
      maxConnections: this.maxInFlight,
      maxMessages: settings.messagesPerConnection ?? DEFAULT_MESSAGES_PER_CONNECTION,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      dnsTimeout: timeout,
      logger: false,
    });
    // Keeps hold of each message stream as nodemailer creates it (again, if it requeues the message).
    this.transport.use('stream', (mail, done) => {
      const id = String(mail.data.messageId ?? '');
      mail.message.processFunc((input: Readable) => {
        this.streams.get(id)?.push(input);
        return input;
      });
      done();
    });
  }

  send(message: OutgoingMessage, { idempotencyKey }: { idempotencyKey: string }): Promise<SendResult> {
    const problem = recipientProblem(message);
    if (problem) return Promise.resolve(problem);
    return this.memo.once(idempotencyKey, () => this.deliver(message));
  }

  private async deliver(message: OutgoingMessage): Promise<SendResult> {
    const mail = mailOf(message, this.mailFrom);
    const messageId = mail.messageId!;
    const streams: Readable[] = [];
    this.streams.set(messageId, streams);
    try {
      await this.transport.sendMail(mail);
      return { status: 'sent', providerId: messageId, units: 1, costCents: this.price };
    } catch (error) {
      const result = resultOfSmtpError(error, streams.some((s) => s.readableDidRead), this.timeoutSeconds);
      // The server's reply can quote the address: log the outcome and the codes, never the reason.
      const e = error as { code?: unknown; responseCode?: unknown };
      this.logger.warn('the SMTP server did not take the email', {
        messageId: message.id,
        outcome: result.status,
        code: typeof e?.code === 'string' ? e.code : undefined,
        responseCode: typeof e?.responseCode === 'number' ? e.responseCode : undefined,
      });
      return result;
    } finally {
      this.streams.delete(messageId);
    }
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.transport.verify();
      return { ok: true };
    } catch (error) {
      const e = error as { code?: string; responseCode?: number };
      return { ok: false, detail: `the SMTP server cannot be used (${e.responseCode ?? e.code ?? 'error'})` };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * The sandbox outbox: no SMTP server is set, so the email is composed exactly as it would be
 * sent (the same nodemailer message, headers and Message-ID) and recorded as sent, marked
 * `sandbox`; the host shows it in the console.
 */
export class SandboxEmailClient implements ChannelClient {
  private readonly composer = createTransport({ streamTransport: true, buffer: true });
  private readonly mailFrom: string;
  private readonly price: number;

  constructor(
    settings: EmailSettings,
    private readonly logger: PluginLogger,
  ) {
    this.mailFrom = settings.mailFrom ?? DEFAULT_MAIL_FROM;
    this.price = settings.pricePerEmailCents ?? 0;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const problem = recipientProblem(message);
    if (problem) return problem;
    const mail = mailOf(message, this.mailFrom);
    const composed = await this.composer.sendMail(mail);
    this.logger.debug('email kept in the sandbox outbox', { messageId: message.id, bytes: (composed.message as Buffer).length });
    return { status: 'sent', sandbox: true, providerId: mail.messageId!, units: 1, costCents: this.price };
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}

export function createEmailClient(context: PluginContext<EmailSettings>): ChannelClient {
  const { settings, logger } = context;
  if (!settings.smtpUrl) return new SandboxEmailClient(settings, logger);
  return new SmtpEmailClient({ ...settings, smtpUrl: settings.smtpUrl }, logger);
}
