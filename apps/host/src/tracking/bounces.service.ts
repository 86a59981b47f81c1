import { Injectable } from '@nestjs/common';
import { Principal } from '../auth/principal';
import { isUuid } from '../common/id.pipe';
import { DataRoomAccess } from '../data-room/data-room.access';
import { MessageStatusService, StatusUpdateSummary } from '../dispatch/message-status.service';
import { BounceReportDto } from './bounce.dto';

const EMAIL_CHANNEL = 'email';

/** A Message-ID as the email carried it, with its angle brackets (reports quote it with or without). */
const messageIdHeader = (value: string) => (value.startsWith('<') ? value : `<${value}>`);

/**
 * Bounces that come back after an email was accepted (delivery status notifications reach the
 * dealer's mailbox, not the host): the dealer's mail system or CRM reports them. Only the dealer's
 * own emails are matched, then they are applied like any provider's status report: one event per
 * email (a repeated report is a duplicate), the status moved up to bounced, never back.
 */
@Injectable()
export class BouncesService {
  constructor(
    private readonly dataRoom: DataRoomAccess,
    private readonly statuses: MessageStatusService,
  ) {}

  async report(principal: Principal, dealerId: string, dto: BounceReportDto): Promise<StatusUpdateSummary> {
    const keys = dto.bounces.map((b) => b.messageId.trim());
    const rows: { id: string; provider_id: string }[] = await this.dataRoom.run(principal, dealerId, 'create', (m) =>
      m.query(
        `SELECT id::text, provider_id FROM messages
          WHERE dealer_id = $1 AND channel = $2 AND provider_id IS NOT NULL AND (id = ANY($3::uuid[]) OR provider_id = ANY($4::text[]))`,
        [dealerId, EMAIL_CHANNEL, keys.filter(isUuid).map((k) => k.toLowerCase()), keys.filter((k) => !isUuid(k)).map(messageIdHeader)],
      ),
    );
    const byKey = new Map<string, string>();
    for (const row of rows) {
      byKey.set(row.id, row.provider_id);
      byKey.set(row.provider_id, row.provider_id);
    }
    const updates = dto.bounces.flatMap((bounce, i) => {
      const key = keys[i];
      const providerId = byKey.get(isUuid(key) ? key.toLowerCase() : messageIdHeader(key));
      return providerId ? [{ providerId, status: 'bounced' as const, reason: bounce.reason, eventId: `bounce:${providerId}` }] : [];
    });
    const summary = await this.statuses.applyStatusUpdates(EMAIL_CHANNEL, updates);
    summary.unmatched += dto.bounces.length - updates.length;
    return summary;
  }
}
