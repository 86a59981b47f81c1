import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TenantDb } from '../database/tenant-db.service';
import { renderRequestFor } from '../dispatch/message-content';
import { STATUS_RANK } from '../dispatch/message-status.service';
import { MessageRow, MessageStatus } from '../dispatch/message.types';
import { LinkClaims, LinkTokens, urlHash } from '../rendering/link-tokens';
import { RenderingService } from '../rendering/rendering.service';

/**
 * Statuses of messages that went out. Opens and clicks of anything else are not the recipient's:
 * a dealer looking at a queued or failed message in the console loads its pixel too.
 */
const WENT_OUT: MessageStatus[] = ['sent', 'delivered', 'opened', 'clicked', 'unknown'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const MESSAGE_COLUMNS = `dealer_id, id, customer_id, vehicle_ids, channel, service_key, step, template, locale, brand_id, recipient, data,
  subject, status, status_reason, attempts, send_on, sandbox, created_at`;

/** Opens (the pixel) and clicks (the redirect), recorded as message events inside the message's dealer data room. */
@Injectable()
export class TrackingService {
  private readonly logger = new Logger('Tracking');

  constructor(
    private readonly tokens: LinkTokens,
    private readonly tenant: TenantDb,
    private readonly rendering: RenderingService,
  ) {}

  /** Records an open when the token is good; a bad token, or a message that is gone, records nothing. */
  async open(token: string, record: boolean): Promise<void> {
    const claims = this.verify('open', token);
    if (!claims || !record) return;
    try {
      await this.tenant.run(claims.dealerId, (m) => this.record(m, claims, 'opened', {}));
    } catch (error) {
      // The pixel is answered all the same: a lost open must not show a broken image.
      this.logger.error(`recording an open failed: ${(error as Error).message}`);
    }
  }

  /**
   * The URL a click token stands for: one of the message's own tracked links, found by the
   * token's index and URL hash (or by the hash alone, if the link moved), and records the click.
   * Anything else is a 404: the redirect never leads anywhere a message did not link to.
   */
  async click(token: string, record: boolean): Promise<string> {
    const claims = this.verify('click', token);
    if (!claims) throw new NotFoundException('this link is not valid');
    return this.tenant.run(claims.dealerId, async (m) => {
      const [message]: MessageRow[] = await m.query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE dealer_id = $1 AND id = $2`, [claims.dealerId, claims.messageId]);
      if (!message || !Object.keys(message.recipient ?? {}).length) throw new NotFoundException('this link is no longer available');
      let links: string[];
      try {
        links = await this.rendering.links(renderRequestFor(message));
      } catch (error) {
        this.logger.warn(`the links of message ${message.id} cannot be rendered: ${(error as Error).message}`);
        throw new NotFoundException('this link is no longer available');
      }
      const at = claims.index ?? -1;
      const index = links[at] !== undefined && urlHash(links[at]) === claims.urlHash ? at : links.findIndex((url) => urlHash(url) === claims.urlHash);
      if (index < 0) throw new NotFoundException('this link is no longer available');
      if (record) await this.record(m, claims, 'clicked', { index, urlHash: claims.urlHash });
      return links[index];
    });
  }

  /** The claims of a good token; dispatch signs message and dealer ids that are UUIDs, anything else names no message. */
  private verify(purpose: 'open' | 'click', token: string): LinkClaims | undefined {
    const claims = this.tokens.verify(purpose, token);
    return claims && UUID.test(claims.dealerId) && UUID.test(claims.messageId) ? claims : undefined;
  }

  /** One event per request, and the message's status moved up to `status`, never back (STATUS_RANK). */
  private async record(m: EntityManager, claims: LinkClaims, status: 'opened' | 'clicked', data: Record<string, unknown>): Promise<void> {
    const below = WENT_OUT.filter((s) => STATUS_RANK[s] < STATUS_RANK[status]);
    await m.query(
      `WITH msg AS (
         SELECT id, channel FROM messages WHERE dealer_id = $1 AND id = $2 AND status = ANY($5::text[])
       ), event AS (
         INSERT INTO message_events (dealer_id, message_id, channel, type, data)
         SELECT $1, msg.id, msg.channel, $3, $4::jsonb FROM msg
       )
       UPDATE messages m SET status = $7, updated_at = now()
         FROM msg WHERE m.dealer_id = $1 AND m.id = msg.id AND m.status = ANY($6::text[])`,
      [claims.dealerId, claims.messageId, status === 'opened' ? 'open' : 'click', JSON.stringify(data), WENT_OUT, below, status],
    );
  }
}
