import type { ChannelClient, OutgoingMessage, SendResult } from '@forecourt/sdk';

export const DEFAULT_PRICE_PER_ENTRY_CENTS = 0;

export interface CallListSettings {
  pricePerEntryCents?: number;
}

/** Digits a phone number needs at least to be dialled (a short national number). */
const MIN_DIGITS = 6;

/**
 * A message on this channel is an entry on the dealer's call list: the outbox row is the entry,
 * so nothing leaves the host. Sending only checks there is a number to call.
 */
export class CallListClient implements ChannelClient {
  constructor(private readonly settings: CallListSettings) {}

  async send(message: OutgoingMessage): Promise<SendResult> {
    const phone = message.to.phone?.trim();
    if (!phone) return { status: 'failed', reason: 'the customer has no phone number to call' };
    const digits = phone.replace(/\D/g, '');
    if (digits.length < MIN_DIGITS || !/^\+?[\d\s().\-/]+$/.test(phone)) return { status: 'failed', reason: `"${phone}" is not a phone number` };
    return { status: 'sent', units: 1, costCents: this.settings.pricePerEntryCents ?? DEFAULT_PRICE_PER_ENTRY_CENTS };
  }
}
