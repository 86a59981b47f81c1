import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { Page, PageQuery, pageOf } from '../common/pagination';
import { DataRoomAccess } from '../data-room/data-room.access';
import { renderRequestFor } from './message-content';
import { MESSAGE_RENDERER, MessageRenderer } from './message-renderer';
import { MessageRow, MessageStatus } from './message.types';

export interface MessageQuery extends PageQuery {
  channel?: string;
  status?: MessageStatus;
  serviceKey?: string;
  customerExternalId?: string;
}

export interface MessageView {
  id: string;
  channel: string;
  status: MessageStatus;
  serviceKey?: string;
  step?: string;
  customerExternalId?: string;
  vehicleExternalIds: string[];
  subject?: string;
  /** What the channel reported it cost to send. */
  costCents: number;
  /** What the dealer pays for it after the brand's subsidy (planned messages; absent for others). */
  dealerCostCents?: number;
  sandbox: boolean;
  createdAt: string;
  sentAt?: string;
  statusReason?: string;
}

export interface MessageContent {
  contentType: string;
  body: string;
  subject?: string;
}

interface ListRow {
  id: string;
  channel: string;
  status: MessageStatus;
  service_key: string | null;
  step: string | null;
  customer_external_id: string | null;
  vehicle_external_ids: string[];
  subject: string | null;
  cost_cents: number;
  dealer_cost_cents: number | null;
  sandbox: boolean;
  created_at: Date;
  sent_at: Date | null;
  status_reason: string | null;
}

/** The dealer's message log and the content of one message, read inside the dealer's data room. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly dataRoom: DataRoomAccess,
    @Inject(MESSAGE_RENDERER) private readonly renderer: MessageRenderer,
  ) {}

  list(principal: Principal, dealerId: string, query: MessageQuery): Promise<Page<MessageView>> {
    return this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const where = ['m.dealer_id = $1'];
      const params: unknown[] = [dealerId];
      if (query.channel) where.push(`m.channel = $${params.push(query.channel)}`);
      if (query.status) where.push(`m.status = $${params.push(query.status)}`);
      if (query.serviceKey) where.push(`m.service_key = $${params.push(query.serviceKey)}`);
      if (query.customerExternalId) where.push(`c.external_id = $${params.push(query.customerExternalId)}`);
      const from = `FROM messages m LEFT JOIN customers c ON c.dealer_id = m.dealer_id AND c.id = m.customer_id WHERE ${where.join(' AND ')}`;
      const [{ total }] = await m.query(`SELECT count(*)::int AS total ${from}`, params);
      const rows: ListRow[] = await m.query(
        `SELECT m.id, m.channel, m.status, m.service_key, m.step, c.external_id AS customer_external_id,
                ARRAY(SELECT v.external_id FROM vehicles v WHERE v.dealer_id = m.dealer_id AND v.id = ANY(m.vehicle_ids)
                       ORDER BY array_position(m.vehicle_ids, v.id)) AS vehicle_external_ids,
                m.subject, m.cost_cents, m.dealer_cost_cents, m.sandbox, m.created_at, m.sent_at, m.status_reason
           ${from}
          ORDER BY m.created_at DESC, m.id
          LIMIT $${params.push(query.pageSize)} OFFSET $${params.push((query.page - 1) * query.pageSize)}`,
        params,
      );
      return pageOf(rows.map(messageView), total, query);
    });
  }

  /**
   * The message as it was sent, rendered again from what the outbox keeps (template, locale,
   * brand, merge data). Looked for only in the caller's own dealer's data room: another
   * dealer's message is not found.
   */
  /** `tracked: false` for viewing: no open pixel, links as the template has them, so looking is not the customer's open or click. */
  async content(principal: Principal, messageId: string, tracked = true): Promise<MessageContent> {
    const dealerId = principal.dealerId;
    if (!dealerId) throw new ForbiddenException(`a ${principal.role} does not see dealers' messages`);
    const message = await this.dataRoom.run(principal, dealerId, 'read', async (m) => {
      const [row]: MessageRow[] = await m.query(
        `SELECT dealer_id, id, customer_id, vehicle_ids, channel, service_key, step, template, locale, brand_id, recipient, data,
                subject, status, status_reason, attempts, send_on, sandbox, created_at
           FROM messages WHERE dealer_id = $1 AND id = $2`,
        [dealerId, messageId],
      );
      return row;
    });
    if (!message) throw new NotFoundException('message not found');
    if (!Object.keys(message.recipient ?? {}).length) throw new NotFoundException("the message's content was erased with its customer");
    const rendered = await this.renderer.render({ ...renderRequestFor(message), tracking: tracked });
    const subject = rendered.subject ?? message.subject ?? undefined;
    if (message.channel === 'sms' || message.channel === 'call-list' || !rendered.html) {
      return { contentType: 'text/plain; charset=utf-8', body: rendered.text, subject };
    }
    return { contentType: 'text/html; charset=utf-8', body: rendered.html, subject };
  }
}

function messageView(row: ListRow): MessageView {
  return {
    id: row.id,
    channel: row.channel,
    status: row.status,
    serviceKey: row.service_key ?? undefined,
    step: row.step ?? undefined,
    customerExternalId: row.customer_external_id ?? undefined,
    vehicleExternalIds: row.vehicle_external_ids ?? [],
    subject: row.subject ?? undefined,
    costCents: row.cost_cents,
    dealerCostCents: row.dealer_cost_cents ?? undefined,
    sandbox: row.sandbox,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: row.sent_at ? new Date(row.sent_at).toISOString() : undefined,
    statusReason: row.status_reason ?? undefined,
  };
}
