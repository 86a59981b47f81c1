import { timingSafeEqual } from 'node:crypto';
import { HmacSha256, sha256 } from './sha256';

/**
 * What a signed link is for: open pixel, click, one-click unsubscribe (POST /u), preference center
 * (/p), confirming a changed email address (/p/confirm).
 */
export type LinkPurpose = 'open' | 'click' | 'unsubscribe' | 'preferences' | 'email-change';

const CODES: Record<LinkPurpose, number> = { open: 0x6f, click: 0x63, unsubscribe: 0x75, preferences: 0x70, 'email-change': 0x65 };

/** Purposes whose tokens open a page about the customer: signed with the preference key, not the tracking key. */
const PREFERENCE_PURPOSES = new Set<LinkPurpose>(['unsubscribe', 'preferences', 'email-change']);
/** Purposes whose tokens carry an expiry. One-click unsubscribe never expires: an old email must still stop the mail. */
const EXPIRING = new Set<LinkPurpose>(['preferences', 'email-change']);
const EXPIRY_BYTES = 4;
const DAY_S = 86_400;

export interface LinkClaims {
  dealerId: string;
  messageId: string;
  /** Clicks: the link's position among the message's tracked links. */
  index?: number;
  /** Clicks: a short hash of the link's URL (`urlHash`), so a link is found again even if it moved. */
  urlHash?: string;
  /** Preference and email-change tokens: when the token stops working, in seconds since the epoch (inside the signed payload). */
  expiresAt?: number;
}

export interface LinkTokenOptions {
  /** The key for preference, unsubscribe and email-change tokens (`deriveKey(config, 'preferences')`); default: one derived from the link key. */
  preferencesKey?: Buffer;
  /** How long a preference link works after it was signed (default 90 days). */
  preferenceDays?: number;
  /** How long a link to confirm a new email address works (default 48 hours). */
  emailChangeHours?: number;
  /** The clock (ms), for signing tokens that are already expired in tests. */
  now?: () => number;
}

/** Whether an expiring token's time is up. */
export function isExpired(claims: LinkClaims, now = Date.now()): boolean {
  return claims.expiresAt !== undefined && claims.expiresAt * 1000 <= now;
}

/** Bytes of HMAC-SHA256 kept in a token: 128 bits, far beyond guessing over HTTP. */
const MAC_BYTES = 16;
const URL_HASH_BYTES = 6;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bytes an id takes in a token: a UUID 1 + 16, anything else 2 + its UTF-8 bytes (1 to 100). */
function idSize(id: string): number {
  if (UUID.test(id)) return 17;
  const bytes = Buffer.byteLength(id, 'utf8');
  if (!bytes || bytes > 100) throw new Error('a link token id must have 1 to 100 bytes');
  return 2 + bytes;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
/** Where a UUID's 32 hex digits are, around its dashes. */
const UUID_DIGITS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function writeId(id: string, into: Buffer, at: number, size: number): number {
  if (size === 17) {
    // A UUID (checked by idSize): its bytes straight from the digits, without a hex decoder per call.
    into[at] = 1;
    for (let i = 0; i < 16; i++) into[at + 1 + i] = (HEX[id.charCodeAt(UUID_DIGITS[i])] << 4) | HEX[id.charCodeAt(UUID_DIGITS[i] + 1)];
  } else {
    into[at] = 2;
    into[at + 1] = size - 2;
    into.write(id, at + 2, 'utf8');
  }
  return at + size;
}

function readId(buffer: Buffer, at: number): { id: string; next: number } | undefined {
  if (buffer[at] === 1 && buffer.length >= at + 17) {
    const hex = buffer.subarray(at + 1, at + 17).toString('hex');
    return { id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, next: at + 17 };
  }
  if (buffer[at] === 2 && buffer.length >= at + 2 + buffer[at + 1]) {
    return { id: buffer.subarray(at + 2, at + 2 + buffer[at + 1]).toString('utf8'), next: at + 2 + buffer[at + 1] };
  }
  return undefined;
}

/**
 * Signed tokens for the links in messages, with their own key (`deriveKey(config, 'links')`,
 * never the session key); tokens that open the preference center, unsubscribe or confirm an
 * address are signed with another key again (`preferencesKey`). A token names its purpose, so an
 * open token is no click or unsubscribe token; it carries ids only, no personal data. Ids that are
 * UUIDs take 16 bytes, so a token stays short enough for an SMS (about 70 characters).
 * Preference and email-change tokens carry their expiry inside the signed bytes.
 */
export class LinkTokens {
  private readonly hmac: HmacSha256;
  private readonly preferenceHmac: HmacSha256;
  private readonly validitySeconds: Record<string, number>;
  private readonly now: () => number;

  constructor(key: Buffer, options: LinkTokenOptions = {}) {
    this.hmac = new HmacSha256(key);
    this.preferenceHmac = new HmacSha256(options.preferencesKey ?? new HmacSha256(key).digest(Buffer.from('forecourt:preferences')));
    this.validitySeconds = {
      preferences: Math.round((options.preferenceDays ?? 90) * DAY_S),
      'email-change': Math.round((options.emailChangeHours ?? 48) * 3600),
    };
    this.now = options.now ?? Date.now;
  }

  /** `issuedAt` (ms): what an expiring token's validity counts from; now unless given. */
  sign(purpose: LinkPurpose, claims: LinkClaims, issuedAt = this.now()): string {
    const dealer = idSize(claims.dealerId);
    const message = idSize(claims.messageId);
    const hash = purpose === 'click' ? Buffer.from(claims.urlHash ?? '', 'base64url').subarray(0, URL_HASH_BYTES) : undefined;
    const expiry = EXPIRING.has(purpose) ? EXPIRY_BYTES : 0;
    const length = 1 + dealer + message + (hash ? 2 + hash.length : 0) + expiry;
    const token = Buffer.allocUnsafe(length + MAC_BYTES);
    token[0] = CODES[purpose];
    const at = writeId(claims.messageId, token, writeId(claims.dealerId, token, 1, dealer), message);
    if (hash) hash.copy(token, token.writeUInt16BE(claims.index ?? 0, at));
    if (expiry) token.writeUInt32BE(claims.expiresAt ?? Math.floor(issuedAt / 1000) + this.validitySeconds[purpose], at);
    this.hmacFor(purpose).digestInto(token.subarray(0, length), token, length, MAC_BYTES);
    return token.toString('base64url');
  }

  /**
   * The claims of a token made for this purpose, or undefined for anything else (tampered, another
   * purpose, garbage). An expiring token's claims carry `expiresAt`: check it with `isExpired`.
   */
  verify(purpose: LinkPurpose, token: string): LinkClaims | undefined {
    if (typeof token !== 'string' || token.length > 400 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length <= MAC_BYTES + 1) return undefined;
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), this.mac(purpose, payload))) return undefined;
    if (payload[0] !== CODES[purpose]) return undefined;
    const dealer = readId(payload, 1);
    const message = dealer && readId(payload, dealer.next);
    if (!dealer || !message) return undefined;
    if (EXPIRING.has(purpose)) {
      if (payload.length !== message.next + EXPIRY_BYTES) return undefined;
      return { dealerId: dealer.id, messageId: message.id, expiresAt: payload.readUInt32BE(message.next) };
    }
    if (purpose !== 'click') return message.next === payload.length ? { dealerId: dealer.id, messageId: message.id } : undefined;
    if (payload.length !== message.next + 2 + URL_HASH_BYTES) return undefined;
    return {
      dealerId: dealer.id,
      messageId: message.id,
      index: payload.readUInt16BE(message.next),
      urlHash: payload.subarray(message.next + 2).toString('base64url'),
    };
  }

  private hmacFor(purpose: LinkPurpose): HmacSha256 {
    return PREFERENCE_PURPOSES.has(purpose) ? this.preferenceHmac : this.hmac;
  }

  private mac(purpose: LinkPurpose, payload: Buffer): Buffer {
    return this.hmacFor(purpose).digest(payload).subarray(0, MAC_BYTES);
  }
}

/** What a click token keeps of its link's URL. */
export function urlHash(url: string): string {
  let hash = urlHashes.get(url);
  if (hash === undefined) {
    hash = sha256(Buffer.from(url, 'utf8')).subarray(0, URL_HASH_BYTES).toString('base64url');
    if (urlHashes.size >= URL_HASHES_MAX) urlHashes.clear();
    urlHashes.set(url, hash);
  }
  return hash;
}

/** Hashes of URLs seen lately: most links in a run are the same few (the footer's, a brand's site). */
const urlHashes = new Map<string, string>();
const URL_HASHES_MAX = 10_000;
