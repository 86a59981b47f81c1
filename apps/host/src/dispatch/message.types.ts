import type { PostalAddress } from '@forecourt/sdk';

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'opened', 'clicked', 'failed', 'bounced', 'held', 'unknown'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Who a message goes to, as it was when the message was written (a later change of address does not move it). */
export interface MessageRecipient {
  name: string;
  email?: string;
  /** E.164 */
  phone?: string;
  address?: PostalAddress;
  locale: string;
}

/** A message for the outbox, written by a flow inside its dealer's transaction. */
export interface NewMessage {
  /** Unique per dealer: the same key twice is one message (a run repeated, a step retried). */
  dedupeKey: string;
  channel: string;
  template: string;
  locale: string;
  recipient: MessageRecipient;
  /** The brand whose theme the message wears; unset: the dealer's first brand. */
  brandId?: string;
  customerId?: string | null;
  vehicleIds?: string[];
  serviceKey?: string;
  step?: string;
  /** Merge data for the template. */
  data?: Record<string, unknown>;
  subject?: string;
  runId?: string;
  /** Not sent before this instant (a send window). */
  notBefore?: Date;
  /** The day the message is for (YYYY-MM-DD, the run's asOf); batched channels print per day. Default: today in the dealer's time zone. */
  sendOn?: string;
  /** Written but not queued (budget, quiet hours), with the reason; `OutboxService.release` queues it later. */
  held?: { reason: string };
  /** What the service charges for it, and the dealer's share after the brand's subsidy (budgets count the latter). */
  priceCents?: number;
  dealerCostCents?: number;
}

export interface EnqueuedMessage {
  dedupeKey: string;
  id: string;
  /** False when a message with this dedupe key was already there (its id is given). */
  created: boolean;
}

/** A messages row as the dispatch worker and the API read it. */
export interface MessageRow {
  dealer_id: string;
  id: string;
  customer_id: string | null;
  vehicle_ids: string[];
  channel: string;
  service_key: string | null;
  step: string | null;
  template: string;
  locale: string;
  brand_id: string | null;
  recipient: MessageRecipient;
  data: Record<string, unknown>;
  subject: string | null;
  status: MessageStatus;
  status_reason: string | null;
  attempts: number;
  send_on: string | null;
  sandbox: boolean;
  created_at: Date;
}
