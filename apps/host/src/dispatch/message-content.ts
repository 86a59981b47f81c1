import type { OutgoingMessage } from '@forecourt/sdk';
import { DealerInfo } from './dispatch.store';
import { RenderedMessage, RenderRequest } from './message-renderer';
import { MessageRow } from './message.types';

/**
 * What the renderer gets for a message: only what the outbox row holds, so rendering it again
 * later (GET /api/messages/:id/content) gives what was sent.
 */
export function renderRequestFor(message: MessageRow): RenderRequest {
  return {
    template: message.template,
    channel: message.channel,
    locale: message.locale,
    brandId: message.brand_id ?? '',
    dealerId: message.dealer_id,
    data: {
      ...message.data,
      recipient: message.data.recipient ?? message.recipient,
      message: { id: message.id, channel: message.channel, serviceKey: message.service_key, step: message.step, customerId: message.customer_id },
    },
  };
}

/** The message a channel plugin gets: rendered content, the dealer as sender where it has one. */
export function outgoingMessage(message: MessageRow, rendered: RenderedMessage, dealer: DealerInfo | undefined, mailFrom: string): OutgoingMessage {
  const data: Record<string, unknown> = { ...message.data };
  if (data.sender === undefined && dealer?.address) {
    data.sender = { name: dealer.name, ...dealer.address, phone: dealer.phone ?? undefined };
  }
  return {
    id: message.id,
    dealerId: message.dealer_id,
    channel: message.channel,
    to: message.recipient,
    from: {
      email: dealer?.sender_email ?? mailFrom,
      name: dealer?.sender_name ?? dealer?.name,
      phone: dealer?.phone ?? undefined,
    },
    subject: rendered.subject ?? message.subject ?? undefined,
    html: rendered.html,
    text: rendered.text,
    headers: rendered.headers,
    data,
  };
}
