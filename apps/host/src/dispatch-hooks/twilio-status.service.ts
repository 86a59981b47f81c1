import type { ChannelClient, StatusUpdate } from '@forecourt/sdk';
import { ForbiddenException, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/id.pipe';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { TenantDb } from '../database/tenant-db.service';
import { MessageStatusService, StatusUpdateSummary } from '../dispatch/message-status.service';
import { PluginRegistry } from '../plugin-host/plugin-registry.service';

/** The channel Twilio's callbacks report on. */
export const TWILIO_CHANNEL = 'sms';

export interface TwilioCallback {
  /** The path and query Twilio called (req.originalUrl). */
  originalUrl: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * Twilio's status callbacks. The callback URL the SMS channel gives Twilio names the dealer (whose
 * auth token signs the callback) and the message; the channel plugin checks the signature against
 * the full public URL, then the updates are applied through the dispatch module, which ignores
 * events it has seen.
 */
@Injectable()
export class TwilioStatusService {
  private readonly logger = new Logger('TwilioStatus');

  constructor(
    private readonly registry: PluginRegistry,
    private readonly statuses: MessageStatusService,
    private readonly tenant: TenantDb,
    private readonly dataSource: DataSource,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  async receive(callback: TwilioCallback): Promise<StatusUpdateSummary> {
    const dealerId = typeof callback.query.dealer === 'string' ? callback.query.dealer.toLowerCase() : undefined;
    if (!isUuid(dealerId)) throw refused('the callback URL names no dealer, so its signature cannot be checked');
    const client = await this.clientOf(dealerId);
    const headers = Object.fromEntries(
      Object.entries(callback.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
    );
    let updates: StatusUpdate[];
    try {
      updates = client.parseStatusWebhook!({ url: `${this.config.publicUrl}${callback.originalUrl}`, headers, body: callback.body ?? {} });
    } catch (error) {
      throw refused((error as Error).message);
    }
    if (!updates.length) return { applied: 0, recorded: 0, duplicates: 0, unmatched: 0 };
    const messageId = typeof callback.query.message === 'string' ? callback.query.message.toLowerCase() : undefined;
    if (isUuid(messageId)) await this.adopt(dealerId, messageId, updates[0].providerId);
    const own = await this.ownUpdates(dealerId, updates);
    const summary = await this.statuses.applyStatusUpdates(TWILIO_CHANNEL, own);
    summary.unmatched += updates.length - own.length;
    return summary;
  }

  private async clientOf(dealerId: string): Promise<ChannelClient> {
    let client: ChannelClient;
    try {
      client = await this.registry.clientFor(TWILIO_CHANNEL, dealerId);
    } catch (error) {
      this.logger.warn(`status callback for dealer ${dealerId} refused: ${(error as Error).message}`);
      throw refused('no SMS channel is set up for this dealer, so the signature cannot be checked');
    }
    if (!client.parseStatusWebhook) throw refused('the SMS channel does not take status callbacks');
    return client;
  }

  /**
   * A send that timed out is `unknown`, and the host never learnt Twilio's id for it. Its callback
   * (signed, and naming the message in the URL the channel gave Twilio) ties the id to the message,
   * so the update settles it instead of being dropped as unmatched.
   */
  private async adopt(dealerId: string, messageId: string, providerId: string): Promise<void> {
    await this.tenant.run(dealerId, (m) =>
      m.query(
        `WITH adopted AS (
           UPDATE messages SET provider_id = $3, updated_at = now()
            WHERE dealer_id = $1 AND id = $2 AND channel = $4 AND status = 'unknown' AND provider_id IS NULL
            RETURNING id
         )
         INSERT INTO provider_refs (channel, provider_id, dealer_id, message_id)
         SELECT $4, $3, $1, id FROM adopted
         ON CONFLICT DO NOTHING`,
        [dealerId, messageId, providerId, TWILIO_CHANNEL],
      ),
    );
  }

  /** Only ids of this dealer's messages: a callback signed with one dealer's token never moves another dealer's message. */
  private async ownUpdates(dealerId: string, updates: StatusUpdate[]): Promise<StatusUpdate[]> {
    const rows: { provider_id: string }[] = await this.dataSource.query(
      'SELECT provider_id FROM provider_refs WHERE channel = $1 AND dealer_id = $2 AND provider_id = ANY($3::text[])',
      [TWILIO_CHANNEL, dealerId, [...new Set(updates.map((u) => u.providerId))]],
    );
    const own = new Set(rows.map((r) => r.provider_id));
    return updates.filter((u) => own.has(u.providerId));
  }
}

function refused(detail: string): ForbiddenException {
  return new ForbiddenException({ title: 'Forbidden', detail: `status callback refused: ${detail}` });
}
