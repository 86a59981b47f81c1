import { PluginContext } from './context';

/** What a recipient needs for a channel to reach them. */
export type Reach = 'email' | 'mobile' | 'postal-address' | 'phone';

/** The consent channel a message on this channel is checked against. */
export type ConsentChannel = 'email' | 'sms' | 'letter' | 'phone';

export interface PostalAddress {
  street: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface Recipient {
  name?: string;
  email?: string;
  /** E.164 */
  phone?: string;
  address?: PostalAddress;
  locale?: string;
}

/** A rendered message ready for a channel; content was rendered by the host. */
export interface OutgoingMessage {
  /** The outbox id: stable across retries. */
  id: string;
  dealerId: string;
  channel: string;
  to: Recipient;
  from?: { email?: string; name?: string; phone?: string };
  subject?: string;
  html?: string;
  text?: string;
  /** Extra headers for channels that have them (List-Unsubscribe, Message-ID, …). */
  headers?: Record<string, string>;
  /** Free data for the channel (reason, vehicles, customer reference for a call list). */
  data?: Record<string, unknown>;
}

export type SendResult =
  /** Accepted by the provider (or recorded, in sandbox mode). */
  | { status: 'sent'; providerId?: string; costCents?: number; units?: number; sandbox?: boolean }
  /** Will never succeed (bad address, hard bounce): the flow may fall back to the next channel. */
  | { status: 'failed'; reason: string }
  /** Try again later (connection refused, 4xx SMTP, 429): nothing was sent. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /** May or may not have been sent (timeout after the provider got it): never resend blindly. */
  | { status: 'unknown'; reason: string };

/** A file a batch produced, kept by the host and downloadable (a print file of letters). */
export interface BatchArtifact {
  kind: 'file';
  fileName: string;
  contentType: string;
  content: Buffer;
  /** Messages in the file, in order, with the pages each one takes. */
  messages: { id: string; pages: number }[];
}

export interface BatchResult {
  results: Record<string, SendResult>;
  artifacts: BatchArtifact[];
}

/** A delivery state reported later by the provider (status callback, bounce). */
export interface StatusUpdate {
  providerId: string;
  status: 'delivered' | 'failed' | 'bounced' | 'sent';
  reason?: string;
  /** The provider's own event id, to ignore duplicates. */
  eventId?: string;
  at?: Date;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

export interface ChannelClient {
  /** Sends one message. `idempotencyKey` is stable for the message; pass it to providers that accept one. */
  send?(message: OutgoingMessage, options: { idempotencyKey: string }): Promise<SendResult>;
  /** Sends a day's messages at once (letters into one print file). */
  sendBatch?(messages: OutgoingMessage[], options: { date: string }): Promise<BatchResult>;
  /**
   * Sends this client can really have under way at once (an SMTP pool's connections). The host
   * marks a message `sending` only when one of these is free or about to be (one marked ahead
   * each), so a process killed mid-send leaves about twice this many `unknown`, not every
   * message it had queued inside the client.
   */
  readonly maxInFlight?: number;
  /**
   * What the provider knows of the message sent with this idempotency key: its result, or
   * `undefined` when the provider never got it (so sending it again is safe). Throws when the
   * provider cannot be asked now. The host calls it for messages whose outcome is `unknown` (a
   * worker stopped in the middle of the send, a timeout); without it they stay `unknown`.
   */
  lookup?(idempotencyKey: string): Promise<SendResult | undefined>;
  /** Parses and verifies a provider's status callback; throws if the signature is wrong. */
  parseStatusWebhook?(request: WebhookRequest): StatusUpdate[];
  health?(): Promise<{ ok: boolean; detail?: string }>;
  close?(): Promise<void>;
}

export interface ChannelDefinition<Settings = Record<string, unknown>> {
  kind: 'channel';
  /** The channel's name in flows and the API (email, sms, letter, call-list). */
  channel: string;
  reach: Reach;
  consentChannel: ConsentChannel;
  /** Price of one unit (one email, one SMS segment, one printed page) in euro cents. */
  unitCostCents: number;
  /** Messages per second the host lets through to this channel, per dealer. */
  rateLimitPerSecond?: number;
  /** Batched channels get their messages once a day per dealer through sendBatch. */
  batched?: boolean;
  /** Builds a client for one dealer's settings; the host caches it per (plugin, dealer, settings). */
  createClient(context: PluginContext<Settings>): ChannelClient | Promise<ChannelClient>;
}
