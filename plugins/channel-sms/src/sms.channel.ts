import type { ChannelClient, KeyValueStore, OutgoingMessage, PluginContext, PluginLogger, SendResult, StatusUpdate, WebhookRequest } from '@forecourt/sdk';
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import twilio from 'twilio';
import { countSegments } from './segments';

export const DEFAULT_API_URL = 'https://api.twilio.com';
export const DEFAULT_PRICE_PER_SEGMENT_CENTS = 8;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const STATUS_CALLBACK_PATH = '/hooks/twilio/status';

export interface SmsSettings {
  accountSid?: string;
  authToken?: string;
  from?: string;
  apiUrl?: string;
  statusCallbackUrl?: string;
  pricePerSegmentCents?: number;
  timeoutSeconds?: number;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** A phone number in E.164 form: a plus, a country code and at most 15 digits in all. */
export function isE164(phone: string): boolean {
  return E164.test(phone);
}

/** What an SMS on this channel is: its recipient and text, or why it cannot be one. */
function checkMessage(message: OutgoingMessage): { to: string; text: string } | { status: 'failed'; reason: string } {
  const to = message.to.phone?.trim();
  if (!to) return { status: 'failed', reason: 'the recipient has no mobile number (phone is empty)' };
  if (!isE164(to)) return { status: 'failed', reason: `the recipient's phone "${to}" is not in E.164 form (like +31612345678)` };
  if (!message.text?.trim()) return { status: 'failed', reason: 'the message has no text' };
  return { to, text: message.text };
}

function price(text: string, settings: SmsSettings): { units: number; costCents: number } {
  const { segments } = countSegments(text);
  return { units: segments, costCents: segments * (settings.pricePerSegmentCents ?? DEFAULT_PRICE_PER_SEGMENT_CENTS) };
}

/** Errors that mean the request never reached Twilio, so sending again cannot deliver twice. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMED_OUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Twilio error codes that come with a 4xx but pass: too many requests, the sender's queue is full. */
const TRANSIENT_CODES = new Set([20429, 21611]);

/**
 * What a Twilio error means for the message. Twilio refused it (4xx): failed, the flow falls back.
 * Nothing reached Twilio, or it asked to slow down or could not take it (429, 500, 502, 503): retry.
 * The request went out and no answer came (a timeout, 504, a dropped connection): unknown.
 */
export function resultOfTwilioError(error: unknown, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): SendResult {
  const e = (error ?? {}) as { status?: unknown; code?: unknown; message?: string; cause?: { code?: unknown } };
  const message = e.message || String(error);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const what = code ? `${code}: ${message}` : `HTTP ${e.status}`;
    if (e.status === 429 || (code !== undefined && TRANSIENT_CODES.has(code))) return { status: 'retry', reason: `Twilio asks to slow down (${what})` };
    if (e.status === 401) return { status: 'retry', reason: `Twilio refused the credentials (${what}); the dealer's Twilio settings need checking` };
    if (e.status === 504) return { status: 'unknown', reason: `Twilio's gateway timed out (${what}); the message may have been taken` };
    if (e.status >= 500) return { status: 'retry', reason: `Twilio could not take the message now (${what})` };
    if (e.status >= 400) return { status: 'failed', reason: `Twilio refused the message (${what})` };
    return { status: 'unknown', reason: `Twilio answered HTTP ${e.status}` };
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  if (code && NOT_SENT.has(code)) return { status: 'retry', reason: `Twilio cannot be reached (${code})` };
  if (code && TIMED_OUT.has(code)) return { status: 'unknown', reason: `no answer from Twilio within ${timeoutSeconds}s` };
  return { status: 'unknown', reason: `the request to Twilio broke off (${code ?? message})` };
}

/** The status callback URL for one message: the dealer tells the host whose auth token signs it, the message id lets a lost answer be found again. */
export function statusCallbackFor(base: string, dealerId: string | undefined, messageId: string): string {
  const query = new URLSearchParams();
  if (dealerId) query.set('dealer', dealerId);
  query.set('message', messageId);
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

const FAILURE_CODES: Record<string, string> = {
  '30003': 'the handset is unreachable',
  '30004': 'the message was blocked',
  '30005': 'the number is unknown or no longer in service',
  '30006': 'a landline or an unreachable carrier',
  '30007': 'filtered by the carrier',
  '30008': 'an unknown error at the carrier',
  '21610': 'the recipient unsubscribed (STOP)',
};

/** Why Twilio gave a message up, in words: "Twilio: undelivered (error 30003: the handset is unreachable)". */
function failureReason(messageStatus: string, code: string | undefined): string {
  const meaning = code ? FAILURE_CODES[code] : undefined;
  return `Twilio: ${messageStatus}${code ? ` (error ${code}${meaning ? `: ${meaning}` : ''})` : ''}`;
}

/** Twilio's MessageStatus → the host's status update; states along the way (queued, sending, accepted) say nothing new. */
function statusOf(messageStatus: string): StatusUpdate['status'] | undefined {
  switch (messageStatus) {
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return undefined;
  }
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Form fields as Twilio signed them: strings, or lists of strings for repeated fields. */
function formParams(body: WebhookRequest['body']): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body ?? {})) {
    if (Array.isArray(value)) params[key] = value.map(String);
    else if (value !== undefined && value !== null) params[key] = String(value);
  }
  return params;
}

function searchOf(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start);
}

/**
 * Verifies a status callback with the twilio SDK's own check, against the URL the host saw and,
 * when the dealer set its own callback URL (a proxy in front of the host), against that URL with
 * the query Twilio called, then maps it to status updates. Throws when the signature is wrong.
 */
export function parseTwilioStatus(request: WebhookRequest, authToken: string | undefined, statusCallbackUrl?: string): StatusUpdate[] {
  if (!authToken) throw new Error('no Twilio auth token is set, so a status callback cannot be verified');
  const signature = header(request.headers, 'x-twilio-signature');
  if (!signature) throw new Error('the status callback has no X-Twilio-Signature');
  const params = formParams(request.body);
  const urls = [request.url];
  if (statusCallbackUrl) urls.push(statusCallbackUrl.split('?')[0] + searchOf(request.url));
  if (!urls.some((url) => twilio.validateRequest(authToken, signature, url, params))) {
    throw new Error('the X-Twilio-Signature of the status callback does not match');
  }
  const sid = params.MessageSid ?? params.SmsSid;
  const messageStatus = params.MessageStatus ?? params.SmsStatus;
  if (typeof sid !== 'string' || typeof messageStatus !== 'string') return [];
  const status = statusOf(messageStatus);
  if (!status) return [];
  const update: StatusUpdate = { providerId: sid, status, eventId: `${sid}:${messageStatus}` };
  if (status === 'failed') {
    update.reason = failureReason(messageStatus, typeof params.ErrorCode === 'string' ? params.ErrorCode : undefined);
  }
  return [update];
}

/**
 * What the store keeps per idempotency key: while a send is under way or its outcome unknown, what
 * was handed to Twilio (the number, to find it again in Twilio's list, and a hash of the text);
 * once Twilio's answer is known, only that answer, so no phone number stays behind.
 */
interface SendRecord {
  attempt?: {
    to: string;
    bodySha256: string;
    from?: string;
    messagingServiceSid?: string;
    units: number;
    costCents: number;
    /** When the request went out (ISO-8601). */
    at: string;
  };
  result?: SendResult;
}

const recordKey = (idempotencyKey: string) => `send:${idempotencyKey}`;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** How far Twilio's clock and ours may differ when matching a listed message to an attempt. */
const CLOCK_SKEW_MS = 60_000;
/** Messages of the recipient's newest page that a lookup reads; Twilio lists newest first. */
const LOOKUP_PAGE_SIZE = 50;

/**
 * Sends through the real twilio SDK. Its API domain is pointed at `apiUrl` (Domain.baseUrl is the
 * SDK's public field for it), so a regional edge or a local stand-in is reached the same way; edge
 * and region are pinned empty so the SDK does not rewrite the host from its own environment
 * variables (TWILIO_EDGE, TWILIO_REGION), which plugins do not read.
 */
export class TwilioSmsClient implements ChannelClient {
  private readonly client: twilio.Twilio;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly requests: twilio.RequestClient;
  private readonly timeoutSeconds: number;
  private readonly callbackBase: string;

  constructor(
    private readonly settings: SmsSettings & { accountSid: string; authToken: string; from: string },
    private readonly context: Pick<PluginContext, 'dealerId' | 'publicUrl'> & { logger: PluginLogger; store: KeyValueStore },
  ) {
    this.timeoutSeconds = settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.requests = new twilio.RequestClient({ timeout: this.timeoutSeconds * 1000, keepAlive: true });
    // The SDK brings an agent for https only; a stand-in on plain http gets one this client owns and closes.
    (this.requests as unknown as { axios: { defaults: { httpAgent?: HttpAgent } } }).axios.defaults.httpAgent = this.httpAgent;
    this.client = twilio(settings.accountSid, settings.authToken, {
      httpClient: this.requests,
      edge: '',
      region: '',
      logLevel: 'warn',
      autoRetry: false,
    });
    this.client.api.baseUrl = (settings.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
    this.callbackBase = settings.statusCallbackUrl ?? `${context.publicUrl.replace(/\/+$/, '')}${STATUS_CALLBACK_PATH}`;
  }

  async send(message: OutgoingMessage, { idempotencyKey }: { idempotencyKey: string }): Promise<SendResult> {
    const checked = checkMessage(message);
    if ('status' in checked) return checked;
    const store = this.context.store;
    const key = recordKey(idempotencyKey);
    // Twilio takes no idempotency key: a message it took once is answered from the store.
    const earlier = await store.get<SendRecord>(key);
    if (earlier?.result) return earlier.result;
    const { units, costCents } = price(checked.text, this.settings);
    const sender = this.sender();
    await store.set(key, { attempt: { to: checked.to, bodySha256: sha256(checked.text), ...sender, units, costCents, at: new Date().toISOString() } } satisfies SendRecord);
    let sid: string;
    try {
      const created = await this.client.messages.create({
        to: checked.to,
        body: checked.text,
        statusCallback: statusCallbackFor(this.callbackBase, this.context.dealerId, message.id),
        ...sender,
      });
      sid = created.sid;
    } catch (error) {
      const result = resultOfTwilioError(error, this.timeoutSeconds);
      // Refused or not taken: nothing to look up later. Unknown: the attempt stays for the lookup.
      if (result.status !== 'unknown') await store.delete(key);
      // Twilio's own text can quote the number: log the outcome and its code, never the reason.
      const code = (error as { code?: unknown })?.code;
      this.context.logger.warn('Twilio did not take the SMS', { messageId: message.id, outcome: result.status, code: typeof code === 'number' || typeof code === 'string' ? code : undefined });
      return result;
    }
    const result: SendResult = { status: 'sent', providerId: sid, units, costCents };
    await store.set(key, { result } satisfies SendRecord);
    this.context.logger.info('SMS handed to Twilio', { messageId: message.id, sid, segments: units });
    return result;
  }

  /**
   * What Twilio knows of the message sent with this key. Twilio takes no idempotency key and its
   * message list cannot be filtered by our id or callback URL, so the attempt kept before the
   * request went out is looked for among the recipient's newest messages from our sender: the
   * same text, created while the request was under way. No attempt kept: it never went out.
   * Not found yet: unknown, for a while longer than a request could still be under way (twice
   * the timeout); after that Twilio never got it and sending it again is safe.
   */
  async lookup(idempotencyKey: string): Promise<SendResult | undefined> {
    const store = this.context.store;
    const key = recordKey(idempotencyKey);
    const record = await store.get<SendRecord>(key);
    if (record?.result) return record.result;
    const attempt = record?.attempt;
    if (!attempt) return undefined;
    const at = Date.parse(attempt.at);
    const page = await this.client.messages.page({ to: attempt.to, ...(attempt.from ? { from: attempt.from } : {}), pageSize: LOOKUP_PAGE_SIZE });
    const window = page.instances.filter((m) => {
      const created = m.dateCreated?.getTime() ?? Number.NaN;
      const sameSender = attempt.messagingServiceSid ? m.messagingServiceSid === attempt.messagingServiceSid : m.from === attempt.from;
      return sameSender && created >= at - CLOCK_SKEW_MS && created <= at + this.timeoutSeconds * 1000 + CLOCK_SKEW_MS;
    });
    // The same text is the message; Twilio's smart encoding may change a text, so one message alone in the window counts too.
    const same = window.filter((m) => typeof m.body === 'string' && sha256(m.body) === attempt.bodySha256);
    const candidates = same.length ? same : window;
    if (candidates.length > 1) return { status: 'unknown', reason: `Twilio holds ${candidates.length} messages that could be this one` };
    const [found] = candidates;
    if (!found) {
      if (Date.now() - at < 2 * this.timeoutSeconds * 1000) return { status: 'unknown', reason: 'Twilio has no record of the message yet' };
      await store.delete(key);
      this.context.logger.info('Twilio never got the SMS; it may be sent again', { messageId: idempotencyKey });
      return undefined;
    }
    const result: SendResult =
      statusOf(found.status) === 'failed'
        ? { status: 'failed', reason: failureReason(found.status, found.errorCode ? String(found.errorCode) : undefined) }
        : { status: 'sent', providerId: found.sid, units: attempt.units, costCents: attempt.costCents };
    await store.set(key, { result } satisfies SendRecord);
    this.context.logger.info('found the SMS at Twilio', { messageId: idempotencyKey, sid: found.sid, outcome: result.status });
    return result;
  }

  parseStatusWebhook(request: WebhookRequest): StatusUpdate[] {
    return parseTwilioStatus(request, this.settings.authToken, this.settings.statusCallbackUrl);
  }

  private sender(): { from: string } | { messagingServiceSid: string } {
    return this.settings.from.startsWith('MG') ? { messagingServiceSid: this.settings.from } : { from: this.settings.from };
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    (this.requests as unknown as { axios: { defaults: { httpsAgent?: { destroy?(): void } } } }).axios.defaults.httpsAgent?.destroy?.();
  }
}

/**
 * Without Twilio credentials: the SMS is checked, counted and priced exactly as it would be sent,
 * and recorded as sent to the sandbox outbox; nothing leaves the host.
 */
export class SandboxSmsClient implements ChannelClient {
  constructor(private readonly settings: SmsSettings) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const checked = checkMessage(message);
    if ('status' in checked) return checked;
    return { status: 'sent', sandbox: true, ...price(checked.text, this.settings) };
  }

  parseStatusWebhook(request: WebhookRequest): StatusUpdate[] {
    return parseTwilioStatus(request, undefined);
  }
}

const CREDENTIALS = ['accountSid', 'authToken', 'from'] as const;

/** A Twilio client when the dealer's settings (or the host's TWILIO_* variables) name an account, else the sandbox. */
export function createSmsClient(context: PluginContext<SmsSettings>): ChannelClient {
  const { settings } = context;
  const missing = CREDENTIALS.filter((name) => !settings[name]);
  if (missing.length === CREDENTIALS.length) return new SandboxSmsClient(settings);
  if (missing.length) throw new Error(`the SMS channel needs ${missing.join(' and ')} besides ${CREDENTIALS.filter((n) => !missing.includes(n)).join(' and ')}`);
  return new TwilioSmsClient(settings as SmsSettings & { accountSid: string; authToken: string; from: string }, context);
}
