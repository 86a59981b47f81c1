import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { uuidv7, uuidv7Time } from '../common/uuidv7';
import { isExpired, LinkTokens, urlHash } from './link-tokens';
import { messageLinks } from './render-data';
import { HmacSha256, sha256 } from './sha256';

describe('LinkTokens', () => {
  const key = randomBytes(32);
  const preferencesKey = randomBytes(32);
  const tokens = new LinkTokens(key, { preferencesKey });
  const dealerId = randomUUID();
  const messageId = randomUUID();

  it('round-trips the claims of each purpose, short enough for an SMS', () => {
    const open = tokens.sign('open', { dealerId, messageId });
    expect(open.length).toBeLessThan(80);
    expect(tokens.verify('open', open)).toEqual({ dealerId, messageId });
    const click = tokens.sign('click', { dealerId, messageId, index: 3, urlHash: urlHash('https://a.test/x') });
    expect(tokens.verify('click', click)).toEqual({ dealerId, messageId, index: 3, urlHash: urlHash('https://a.test/x') });
    expect(tokens.verify('preferences', tokens.sign('preferences', { dealerId: 'dealer-1', messageId: 'm-1' }))).toMatchObject({ dealerId: 'dealer-1', messageId: 'm-1' });
    const unsubscribe = tokens.sign('unsubscribe', { dealerId, messageId });
    expect(tokens.verify('unsubscribe', unsubscribe)).toEqual({ dealerId, messageId });
    expect(tokens.sign('preferences', { dealerId, messageId }).length).toBeLessThan(80);
  });

  it('lets preference tokens expire (after 90 days by default, or as configured), unsubscribe tokens never', () => {
    const signedAt = Date.UTC(2026, 0, 1);
    const past = new LinkTokens(key, { preferencesKey, now: () => signedAt, preferenceDays: 30, emailChangeHours: 48 });
    const claims = tokens.verify('preferences', past.sign('preferences', { dealerId, messageId }))!;
    expect(claims.expiresAt).toBe(signedAt / 1000 + 30 * 86_400);
    expect(isExpired(claims, signedAt + 29 * 86_400_000)).toBe(false);
    expect(isExpired(claims, signedAt + 30 * 86_400_000)).toBe(true);
    expect(isExpired(claims)).toBe(true);
    expect(tokens.verify('email-change', past.sign('email-change', { dealerId, messageId }))!.expiresAt).toBe(signedAt / 1000 + 48 * 3600);
    const fresh = tokens.verify('preferences', tokens.sign('preferences', { dealerId, messageId }))!;
    expect(fresh.expiresAt! * 1000).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(isExpired(fresh)).toBe(false);
    expect(tokens.verify('unsubscribe', past.sign('unsubscribe', { dealerId, messageId }))).toEqual({ dealerId, messageId });
  });

  it('signs preference, unsubscribe and email-change tokens with their own key, not the tracking key', () => {
    const otherPreferenceKey = new LinkTokens(key, { preferencesKey: randomBytes(32) });
    const preferences = tokens.sign('preferences', { dealerId, messageId });
    expect(otherPreferenceKey.verify('preferences', preferences)).toBeUndefined();
    expect(otherPreferenceKey.verify('unsubscribe', tokens.sign('unsubscribe', { dealerId, messageId }))).toBeUndefined();
    // Same tracking key: open tokens still verify.
    expect(otherPreferenceKey.verify('open', tokens.sign('open', { dealerId, messageId }))).toEqual({ dealerId, messageId });
    const payload = Buffer.from(preferences, 'base64url').subarray(0, -16);
    expect(Buffer.from(preferences, 'base64url').subarray(-16)).toEqual(createHmac('sha256', preferencesKey).update(payload).digest().subarray(0, 16));
    expect(tokens.verify('unsubscribe', preferences)).toBeUndefined();
    expect(tokens.verify('email-change', preferences)).toBeUndefined();
  });

  it('refuses a token of another purpose, another key, a changed byte or garbage', () => {
    const open = tokens.sign('open', { dealerId, messageId });
    expect(tokens.verify('click', open)).toBeUndefined();
    expect(tokens.verify('unsubscribe', open)).toBeUndefined();
    expect(new LinkTokens(randomBytes(32)).verify('open', open)).toBeUndefined();
    const bytes = Buffer.from(open, 'base64url');
    for (const at of [0, 5, 20, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at] ^= 0x01;
      expect(tokens.verify('open', changed.toString('base64url'))).toBeUndefined();
    }
    for (const garbage of ['', 'x', 'a.b', '../../etc/passwd', 'A'.repeat(500), `${open}=`]) expect(tokens.verify('open', garbage)).toBeUndefined();
  });

  it('signs with HMAC-SHA256 of the payload, as node:crypto computes it', () => {
    const key = randomBytes(32);
    const token = Buffer.from(new LinkTokens(key).sign('click', { dealerId, messageId, index: 7, urlHash: urlHash('https://a.test/x') }), 'base64url');
    const payload = token.subarray(0, token.length - 16);
    expect(token.subarray(token.length - 16)).toEqual(createHmac('sha256', key).update(payload).digest().subarray(0, 16));
    expect(urlHash('https://a.test/ünï')).toBe(createHash('sha256').update('https://a.test/ünï').digest().subarray(0, 6).toString('base64url'));
  });
});

describe('preference links of a message', () => {
  it('are the same whenever the message is rendered: their validity counts from when the message was made', () => {
    const key = randomBytes(32);
    const messageId = uuidv7(Date.now() - 10 * 86_400_000);
    const links = (now: number) => messageLinks('https://fc.test', new LinkTokens(key, { now: () => now, preferenceDays: 90 }), randomDealer, messageId);
    const first = links(Date.now());
    expect(links(Date.now() + 3_600_000)).toEqual(first);
    const claims = new LinkTokens(key).verify('preferences', first.preferences.split('/p/')[1])!;
    expect(claims.expiresAt).toBe(Math.floor(uuidv7Time(messageId)! / 1000) + 90 * 86_400);
  });
});

const randomDealer = randomUUID();

describe('sha256 and HmacSha256', () => {
  it('give node:crypto’s digests for every length around the block and padding boundaries, and for long keys', () => {
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(length);
      expect(sha256(data).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      for (const key of [randomBytes(32), randomBytes(64), randomBytes(100), Buffer.alloc(0)]) {
        expect(new HmacSha256(key).digest(data).toString('hex')).toBe(createHmac('sha256', key).update(data).digest('hex'));
      }
    }
    const big = randomBytes(100_000);
    expect(sha256(big).toString('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });
});
