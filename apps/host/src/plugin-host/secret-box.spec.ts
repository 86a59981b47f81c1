import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals with a fresh IV each time and opens in the same context', () => {
    const a = box.seal('hunter2-hunter2', 'plugin-secrets:channel-x:dealer-1');
    const b = box.seal('hunter2-hunter2', 'plugin-secrets:channel-x:dealer-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hunter2');
    expect(box.open(a, 'plugin-secrets:channel-x:dealer-1')).toBe('hunter2-hunter2');
  });

  it('does not open under another context, another key, or after a change', () => {
    const sealed = box.seal('hunter2-hunter2', 'plugin-secrets:channel-x:dealer-1');
    expect(() => box.open(sealed, 'plugin-secrets:channel-x:dealer-2')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'plugin-secrets:channel-x:dealer-1')).toThrow();
    const [version, iv, tag, body] = sealed.split(':');
    const flipped = Buffer.from(body, 'base64');
    flipped[0] ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64')].join(':'), 'plugin-secrets:channel-x:dealer-1')).toThrow();
    expect(() => box.open([version, iv, tag.slice(0, 8), body].join(':'), 'plugin-secrets:channel-x:dealer-1')).toThrow();
  });

  it('wants a 256-bit key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('32-byte key');
  });
});
