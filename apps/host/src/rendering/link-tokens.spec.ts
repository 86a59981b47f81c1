import { randomBytes, randomUUID } from 'node:crypto';
import { LinkTokens, urlHash } from './link-tokens';

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
});
