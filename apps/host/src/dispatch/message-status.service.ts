import type { StatusUpdate } from '@forecourt/sdk';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DispatchStore } from './dispatch.store';
import { MessageStatus } from './message.types';

/**
 * How far a message got. A status only ever moves up: a late `sent` callback does not undo
 * `delivered`, and a callback for a message whose send outcome was `unknown` settles it.
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  queued: 0,
  held: 0,
  sending: 1,
  unknown: 1,
  sent: 2,
  delivered: 3,
  failed: 3,
  bounced: 3,
  opened: 4,
  clicked: 5,
};

const RANK_SQL = `CASE %s WHEN 'queued' THEN 0 WHEN 'held' THEN 0 WHEN 'sending' THEN 1 WHEN 'unknown' THEN 1 WHEN 'sent' THEN 2
  WHEN 'delivered' THEN 3 WHEN 'failed' THEN 3 WHEN 'bounced' THEN 3 WHEN 'opened' THEN 4 WHEN 'clicked' THEN 5 END`;
const rank = (expression: string) => RANK_SQL.replace('%s', expression);

export interface StatusUpdateSummary {
  /** Updates that moved a message on. */
  applied: number;
  /** Updates recorded that did not move the message (it was further already). */
  recorded: number;
  /** Events seen before (same provider event id). */
  duplicates: number;
  /** Provider ids no message of this channel carries. */
  unmatched: number;
}

/**
 * Status callbacks from providers (Twilio's, a bounce processor's). They name the provider's id
 * only, so the message is found through provider_refs (ids, no personal data, no dealer wall),
 * then recorded and applied inside that message's dealer data room.
 */
@Injectable()
export class MessageStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: DispatchStore,
  ) {}

  async applyStatusUpdates(channel: string, updates: StatusUpdate[]): Promise<StatusUpdateSummary> {
    const summary: StatusUpdateSummary = { applied: 0, recorded: 0, duplicates: 0, unmatched: 0 };
    if (!updates.length) return summary;
    const refs: { provider_id: string; dealer_id: string; message_id: string }[] = await this.dataSource.query(
      'SELECT provider_id, dealer_id, message_id FROM provider_refs WHERE channel = $1 AND provider_id = ANY($2::text[])',
      [channel, [...new Set(updates.map((u) => u.providerId))]],
    );
    const byProvider = new Map(refs.map((r) => [r.provider_id, r]));
    const byDealer = new Map<string, { update: StatusUpdate; messageId: string; order: number }[]>();
    updates.forEach((update, order) => {
      const ref = byProvider.get(update.providerId);
      if (!ref) {
        summary.unmatched++;
        return;
      }
      const list = byDealer.get(ref.dealer_id) ?? [];
      list.push({ update, messageId: ref.message_id, order });
      byDealer.set(ref.dealer_id, list);
    });
    await this.store.perDealer(byDealer, async (m, dealerId, items) => {
      const rows = items.map(({ update, messageId, order }) => ({
        order,
        message_id: messageId,
        type: update.status,
        provider_event_id: update.eventId ?? null,
        reason: update.reason ?? null,
        data: { providerId: update.providerId, ...(update.reason ? { reason: update.reason } : {}) },
        at: (update.at ?? new Date()).toISOString(),
      }));
      const [result] = await m.query(
        `WITH v AS (
           SELECT * FROM jsonb_to_recordset($3::jsonb) AS v("order" int, message_id uuid, type text, provider_event_id text, reason text, data jsonb, at timestamptz)
         ), fresh AS (
           INSERT INTO message_events (dealer_id, message_id, channel, type, provider_event_id, data, at)
           SELECT DISTINCT ON (coalesce(v.provider_event_id, v."order"::text)) $1, v.message_id, $2, v.type, v.provider_event_id, v.data, v.at
             FROM v JOIN messages m ON m.dealer_id = $1 AND m.id = v.message_id
            ORDER BY coalesce(v.provider_event_id, v."order"::text), v."order"
           ON CONFLICT (dealer_id, channel, provider_event_id) WHERE provider_event_id IS NOT NULL DO NOTHING
           RETURNING message_id, type, provider_event_id
         ), best AS (
           SELECT DISTINCT ON (v.message_id) v.message_id, v.type, v.reason
             FROM v JOIN fresh f ON f.message_id = v.message_id AND f.type = v.type
                                 AND f.provider_event_id IS NOT DISTINCT FROM v.provider_event_id
            ORDER BY v.message_id, ${rank('v.type')} DESC, v."order"
         ), moved AS (
           UPDATE messages m SET status = best.type,
                  status_reason = CASE WHEN best.type IN ('failed', 'bounced') THEN coalesce(best.reason, m.status_reason) ELSE m.status_reason END,
                  updated_at = now()
             FROM best
            WHERE m.dealer_id = $1 AND m.id = best.message_id AND ${rank('m.status')} < ${rank('best.type')}
            RETURNING m.id
         )
         SELECT (SELECT count(*) FROM fresh)::int AS fresh, (SELECT count(*) FROM moved)::int AS moved`,
        [dealerId, channel, JSON.stringify(rows)],
      );
      summary.duplicates += items.length - result.fresh;
      summary.applied += result.moved;
      summary.recorded += result.fresh - result.moved;
    });
    return summary;
  }
}
