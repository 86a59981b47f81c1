import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook.signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = JSON.stringify({ id: '0190c5e2-0000-7000-8000-000000000001', type: 'consent.changed' });
  const ts = 1_800_000_000;

  it('is v1= and the hex HMAC-SHA256 of "timestamp.body"', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    expect(signWebhook(secret, ts, body)).toBe(`v1=${expected}`);
  });

  it('verifies what it signed, within five minutes either way', () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook(secret, signature, String(ts), body, ts)).toBe(true);
    expect(verifyWebhook(secret, signature, String(ts), body, ts + 300)).toBe(true);
    expect(verifyWebhook(secret, signature, String(ts), body, ts - 300)).toBe(true);
    expect(verifyWebhook(secret, signature, String(ts), body, ts + 301)).toBe(false);
  });

  it('refuses a changed body, another secret, a changed timestamp or a missing header', () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook(secret, signature, String(ts), body.replace('consent', 'dissent'), ts)).toBe(false);
    expect(verifyWebhook('whsec_other', signature, String(ts), body, ts)).toBe(false);
    expect(verifyWebhook(secret, signature, String(ts + 1), body, ts)).toBe(false);
    expect(verifyWebhook(secret, undefined, String(ts), body, ts)).toBe(false);
    expect(verifyWebhook(secret, signature, 'yesterday', body, ts)).toBe(false);
  });

  it('accepts one of several signatures (a receiver trying the old and the new secret sees both work)', () => {
    const header = `v1=${'0'.repeat(64)}, ${signWebhook(secret, ts, body)}`;
    expect(verifyWebhook(secret, header, String(ts), body, ts)).toBe(true);
  });
});
