/** What the engine knows about a recipient for choosing a channel. */
export interface Reachable {
  email: string | null;
  phone: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The consent channel each message channel is checked against (a call is a phone contact). */
export function consentChannelOf(channel: string): 'email' | 'sms' | 'letter' | 'phone' {
  if (channel === 'call-list') return 'phone';
  if (channel === 'sms' || channel === 'letter' || channel === 'email') return channel;
  return 'email';
}

/**
 * Can this channel reach the recipient at all? `undeliverable` holds addresses that bounced hard
 * before (an email address that bounced is no longer usable).
 */
export function reachProblem(channel: string, r: Reachable, undeliverable: Set<string> = new Set()): string | undefined {
  switch (channel) {
    case 'email':
      if (!r.email || !EMAIL.test(r.email)) return 'no-email';
      return undeliverable.has(`email:${r.email.toLowerCase()}`) ? 'email-bounced' : undefined;
    case 'sms':
      return r.phone && /^\+[1-9]\d{7,14}$/.test(r.phone) ? undefined : 'no-mobile';
    case 'call-list':
      return r.phone ? undefined : 'no-phone';
    case 'letter':
      return r.street && r.postalCode && r.city ? undefined : 'no-postal-address';
    default:
      return undefined;
  }
}
