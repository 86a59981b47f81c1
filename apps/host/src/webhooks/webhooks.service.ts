import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Action } from '../auth/ability.factory';
import { Principal } from '../auth/principal';
import { fieldError } from '../common/problem';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { uuidv7 } from '../common/uuidv7';
import { TenantDb } from '../database/tenant-db.service';
import { SecretBox } from '../plugin-host/secret-box';
import { CONSENT_CHANGED, WEBHOOK_NOTIFY_CHANNEL, WEBHOOK_TEST } from './consent-events';
import { privateLiteralHost } from './webhook-address';
import { secretContext, WEBHOOK_SECRET_BOX } from './webhook-delivery.worker';
import { ConsentEventsQuery, CreateWebhookDto } from './webhook.dto';

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  created_at: Date;
  secret_rotated_at: Date;
}

const ENDPOINT_COLUMNS = 'id, url, events, description, created_at, secret_rotated_at';

function view(dealerId: string, row: EndpointRow) {
  return {
    id: row.id,
    dealerId,
    url: row.url,
    events: row.events,
    description: row.description,
    createdAt: row.created_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

/** `whsec_` and 32 random bytes; the receiver keys its HMAC with the whole string. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** Problem if the URL is not one a webhook can be POSTed to. */
function checkUrl(url: string, allowPrivate: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fieldError('url', 'must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw fieldError('url', 'must use http or https');
  // Credentials in the URL would be shown to everyone who may list endpoints.
  if (parsed.username || parsed.password) throw fieldError('url', 'must not contain a user name or password');
  // Names are checked again on every delivery, on the address actually connected to (webhook-address.ts).
  const internal = allowPrivate ? undefined : privateLiteralHost(parsed);
  if (internal) throw fieldError('url', `must not lead into the server's own network (${internal}); FORECOURT_WEBHOOK_ALLOW_PRIVATE=1 allows it`);
}

/** A dealer's webhook endpoints, their deliveries, and the pull feed of consent events. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantDb: TenantDb,
    private readonly access: AccessPolicy,
    @Inject(WEBHOOK_SECRET_BOX) private readonly box: SecretBox,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  /** Brand admins get 403; another dealer's endpoints are not found (404); a dealer user may only read (403). */
  private async assertDealer(principal: Principal, dealerId: string, action: Action): Promise<void> {
    if (!this.access.can(principal, 'read', 'Webhook')) throw new ForbiddenException(`a ${principal.role} does not see dealers' webhooks`);
    const visible = principal.dealerId === dealerId || this.access.can(principal, 'read', 'Webhook', { dealerId });
    if (!visible) throw new NotFoundException('dealer not found');
    const found = await this.dataSource.query('SELECT 1 FROM dealers WHERE id = $1', [dealerId]);
    if (!found.length) throw new NotFoundException('dealer not found');
    this.access.assert(principal, action, 'Webhook', { dealerId });
  }

  private async endpoint(m: EntityManager, dealerId: string, webhookId: string): Promise<EndpointRow> {
    const [row] = await m.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE dealer_id = $1 AND id = $2`, [dealerId, webhookId]);
    if (!row) throw new NotFoundException('webhook endpoint not found');
    return row;
  }

  /** The secret is in this answer only (and in that of a rotation); Forecourt keeps it sealed. */
  async create(principal: Principal, dealerId: string, dto: CreateWebhookDto) {
    await this.assertDealer(principal, dealerId, 'create');
    checkUrl(dto.url, this.config.webhookAllowPrivate);
    const id = uuidv7();
    const secret = newSecret();
    const events = [...new Set(dto.events ?? [CONSENT_CHANGED])];
    const [row] = await this.tenantDb.run(dealerId, (m) =>
      m.query(
        `INSERT INTO webhook_endpoints (dealer_id, id, url, events, description, secret_sealed)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
        [dealerId, id, dto.url, events, dto.description ?? null, this.box.seal(secret, secretContext(dealerId, id))],
      ),
    );
    return { ...view(dealerId, row), secret };
  }

  async list(principal: Principal, dealerId: string) {
    await this.assertDealer(principal, dealerId, 'read');
    const rows: EndpointRow[] = await this.tenantDb.run(dealerId, (m) =>
      m.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE dealer_id = $1 ORDER BY created_at, id`, [dealerId]),
    );
    return rows.map((row) => view(dealerId, row));
  }

  /** Deletes the endpoint with its deliveries, also those not made yet. */
  async remove(principal: Principal, dealerId: string, webhookId: string): Promise<void> {
    await this.assertDealer(principal, dealerId, 'delete');
    // TypeORM answers DELETE … RETURNING with [rows, rowCount].
    const [deleted] = await this.tenantDb.run(dealerId, (m) =>
      m.query('DELETE FROM webhook_endpoints WHERE dealer_id = $1 AND id = $2 RETURNING id', [dealerId, webhookId]),
    );
    if (!deleted.length) throw new NotFoundException('webhook endpoint not found');
  }

  /** A new secret at once: deliveries from now on, retries included, are signed with it. */
  async rotateSecret(principal: Principal, dealerId: string, webhookId: string) {
    await this.assertDealer(principal, dealerId, 'update');
    const secret = newSecret();
    const row = await this.tenantDb.run(dealerId, async (m) => {
      await this.endpoint(m, dealerId, webhookId);
      const [rows] = await m.query(
        `UPDATE webhook_endpoints SET secret_sealed = $3, secret_rotated_at = now() WHERE dealer_id = $1 AND id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
        [dealerId, webhookId, this.box.seal(secret, secretContext(dealerId, webhookId))],
      );
      return rows[0] as EndpointRow;
    });
    return { ...view(dealerId, row), secret };
  }

  async deliveries(principal: Principal, dealerId: string, webhookId: string, limit: number) {
    await this.assertDealer(principal, dealerId, 'read');
    return this.tenantDb.run(dealerId, async (m) => {
      await this.endpoint(m, dealerId, webhookId);
      const rows = await m.query(
        `SELECT d.id, d.event_id, ev.type, d.status, d.attempts, d.last_http_status, d.last_error, d.last_attempt_at,
                CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at, d.delivered_at, d.created_at
           FROM webhook_deliveries d JOIN webhook_events ev ON ev.dealer_id = d.dealer_id AND ev.id = d.event_id
          WHERE d.dealer_id = $1 AND d.endpoint_id = $2
          ORDER BY d.event_id DESC, d.id
          LIMIT $3`,
        [dealerId, webhookId, limit],
      );
      return rows.map((r: Record<string, any>) => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.type,
        status: r.status,
        attempts: r.attempts,
        lastHttpStatus: r.last_http_status,
        lastError: r.last_error,
        lastAttemptAt: r.last_attempt_at,
        nextAttemptAt: r.next_attempt_at,
        deliveredAt: r.delivered_at,
        createdAt: r.created_at,
      }));
    });
  }

  /** Queues a `webhook.test` event for this endpoint alone; the answer names the event and the delivery. */
  async sendTest(principal: Principal, dealerId: string, webhookId: string) {
    await this.assertDealer(principal, dealerId, 'update');
    const eventId = uuidv7();
    return this.tenantDb.run(dealerId, async (m) => {
      await this.endpoint(m, dealerId, webhookId);
      await m.query(`INSERT INTO webhook_events (dealer_id, id, type, data, created_at) VALUES ($1, $2, $3, $4, now())`, [
        dealerId,
        eventId,
        WEBHOOK_TEST,
        JSON.stringify({ webhookId }),
      ]);
      const [delivery] = await m.query(
        `INSERT INTO webhook_deliveries (dealer_id, endpoint_id, event_id) VALUES ($1, $2, $3) RETURNING id`,
        [dealerId, webhookId, eventId],
      );
      await m.query('INSERT INTO webhook_queue (delivery_id, dealer_id, endpoint_id, event_id) VALUES ($1, $2, $3, $4)', [
        delivery.id,
        dealerId,
        webhookId,
        eventId,
      ]);
      await m.query('SELECT pg_notify($1, $2)', [WEBHOOK_NOTIFY_CHANNEL, '']);
      return { eventId, deliveryId: delivery.id as string, type: WEBHOOK_TEST };
    });
  }

  async feedState(principal: Principal, dealerId: string) {
    await this.assertDealer(principal, dealerId, 'read');
    return this.tenantDb.run(dealerId, (m) => this.feedRow(m, dealerId));
  }

  /** Turning the feed on records events from now on (not the ledger's past); off stops recording, what was recorded stays. */
  async setFeed(principal: Principal, dealerId: string, enabled: boolean) {
    await this.assertDealer(principal, dealerId, 'update');
    return this.tenantDb.run(dealerId, async (m) => {
      if (enabled) await m.query('INSERT INTO webhook_feeds (dealer_id) VALUES ($1) ON CONFLICT DO NOTHING', [dealerId]);
      else await m.query('DELETE FROM webhook_feeds WHERE dealer_id = $1', [dealerId]);
      return this.feedRow(m, dealerId);
    });
  }

  private async feedRow(m: EntityManager, dealerId: string) {
    const [row] = await m.query('SELECT enabled_at FROM webhook_feeds WHERE dealer_id = $1', [dealerId]);
    return { dealerId, enabled: !!row, enabledAt: row?.enabled_at ?? null };
  }

  /**
   * Consent events after `after`, oldest first, in the same shape as the webhook bodies. An
   * event shows once no transaction older than its own is still open, so a page never skips an
   * event that commits later with a smaller id than one already read.
   */
  async feed(principal: Principal, dealerId: string, query: ConsentEventsQuery) {
    this.access.assertDataRoom(principal, dealerId, 'read');
    const rows: { id: string; type: string; data: Record<string, unknown>; created_at: Date }[] = await this.tenantDb.run(dealerId, (m) =>
      m.query(
        `SELECT id, type, data, created_at FROM webhook_events
          WHERE dealer_id = $1 AND type = $2 AND ($3::uuid IS NULL OR id > $3::uuid)
            AND xact < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY id
          LIMIT $4`,
        [dealerId, CONSENT_CHANGED, query.after ?? null, query.limit],
      ),
    );
    const events = rows.map((r) => ({ id: r.id, type: r.type, createdAt: new Date(r.created_at).toISOString(), dealerId, data: r.data }));
    return { events, next: events.length ? events[events.length - 1].id : (query.after ?? null), hasMore: events.length === query.limit };
  }
}
