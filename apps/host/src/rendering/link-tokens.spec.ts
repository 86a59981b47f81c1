import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { LinkTokens, urlHash } from './link-tokens';
import { HmacSha256, sha256 } from './sha256';

describe('LinkTokens', () => {
  const tokens = new LinkTokens(randomBytes(32));
  const dealerId = randomUUID();
  const messageId = randomUUID();

  it('round-trips the claims of each purpose, short enough for an SMS', () => {
    const open = tokens.sign('open', { dealerId, messageId });
    expect(open.length).toBeLessThan(80);
    expect(tokens.verify('open', open)).toEqual({ dealerId, messageId });
    const click = tokens.sign('click', { dealerId, messageId, index: 3, urlHash: urlHash('https://a.test/x') });
    expect(tokens.verify('click', click)).toEqual({ dealerId, messageId, index: 3, urlHash: urlHash('https://a.test/x') });
    expect(tokens.verify('preferences', tokens.sign('preferences', { dealerId: 'dealer-1', messageId: 'm-1' }))).toEqual({ dealerId: 'dealer-1', messageId: 'm-1' });
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
