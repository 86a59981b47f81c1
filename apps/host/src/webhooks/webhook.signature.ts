import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signed timestamp may lie from the receiver's clock (replays older than this are refused). */
export const SIGNATURE_TOLERANCE_S = 300;

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the timestamp is signed too, so an old request cannot be replayed as new. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and the timestamp header,
 * compare in constant time, and refuse timestamps outside the tolerance. The header may carry
 * several `v1=` values separated by commas.
 */
export function verifyWebhook(
  secret: string,
  signatureHeader: string | undefined,
  timestampHeader: string | undefined,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = SIGNATURE_TOLERANCE_S,
): boolean {
  const timestamp = Number(timestampHeader);
  if (!signatureHeader || !Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return signatureHeader
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
