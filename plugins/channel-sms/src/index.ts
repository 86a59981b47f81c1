import { defineChannel } from '@forecourt/sdk';
import { createSmsClient, DEFAULT_PRICE_PER_SEGMENT_CENTS, SmsSettings } from './sms.channel';

export { countSegments } from './segments';
export type { SegmentCount, SmsEncoding } from './segments';
export { isE164, parseTwilioStatus, resultOfTwilioError, SandboxSmsClient, statusCallbackFor, TwilioSmsClient } from './sms.channel';
export type { SmsSettings } from './sms.channel';

/** SMS through Twilio, priced per segment; the sandbox outbox without credentials. */
export default defineChannel<SmsSettings>({
  channel: 'sms',
  reach: 'mobile',
  consentChannel: 'sms',
  unitCostCents: DEFAULT_PRICE_PER_SEGMENT_CENTS,
  rateLimitPerSecond: 10,
  createClient: createSmsClient,
});
