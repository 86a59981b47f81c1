import { Inject, Injectable } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { consentChannelOf } from '../campaigns/policies/reach';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { decide, LedgerEntry } from '../data-room/consents/consent-ledger';
import { ConsentRow, appendConsents } from '../data-room/consents/consents.writer';
import { PendingRow } from '../data-room/record-writer';
import { TenantDb } from '../database/tenant-db.service';
import { OutboxService } from '../dispatch/outbox.service';
import { E164_PATTERN } from '../network/dealers/dealer.dto';
import { isExpired, LinkClaims, LinkPurpose, LinkTokens } from '../rendering/link-tokens';
import { NetworkDirectory } from '../rendering/network-directory';
import { themeTokens, ThemeTokens } from '../rendering/theme';
import { PreferenceStateReader } from './preference-state.reader';
import {
  buttonPage,
  Channel,
  CHANNELS,
  neutralPage,
  PageLocale,
  pageLocale,
  PreferenceView,
  preferencePage,
  Purpose,
  PURPOSES,
  textFor,
} from './preference-page';

/**
 * What a public page answers: a status and HTML, or a redirect after a saved form. Forms and
 * redirects name the token alone, relative to the page's own address, so they work below a
 * PUBLIC_URL with a path as well.
 */
export type PageAnswer = { status: number; html: string } | { redirect: string };

/** The form as the page posts it (application/x-www-form-urlencoded; repeated names arrive as arrays). */
export type PreferenceForm = Record<string, string | string[] | undefined>;

interface CustomerState {
  customerId: string;
  customerExternalId: string;
  email: string | null;
  phone: string | null;
  locale: PageLocale;
  dealerName: string;
  brandId: string | null;
  messageChannel: string;
  vehicles: { id: string; externalId: string; model: string | null; plate: string | null }[];
  ledger: LedgerEntry[];
  version: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_CHANGE_HOURS = 48;

/** Everything the page shows, in one statement that sets the dealer wall itself (migration 1733600000001). */
const STATE_SQL = 'SELECT forecourt_preference_state($1, $2) AS state';

/**
 * The public preference center (GET/POST /p/:token), one-click unsubscribe (POST /u/:token) and
 * the confirmation of a changed email address (/p/confirm/:token). The token is the only key; every
 * read and write happens in the message's dealer data room, every consent statement through
 * `appendConsents`.
 */
@Injectable()
export class PreferencesService {
  /** Theme tokens per brand object the directory keeps (for a while), so a page builds none. */
  private readonly themes = new WeakMap<object, ThemeTokens>();
  private readonly reader = new PreferenceStateReader(() => this.pool);

  constructor(
    private readonly tokens: LinkTokens,
    private readonly tenant: TenantDb,
    private readonly dataSource: DataSource,
    private readonly directory: NetworkDirectory,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  /**
   * GET and HEAD /p/:token: the page, never a change. Read outside a transaction of TenantDb, with
   * the views asked for at the same moment (PreferenceStateReader): `forecourt_preference_state`
   * sets each message's dealer for row-level security itself.
   */
  async page(token: string, query: { unsubscribe?: string; saved?: string; email?: string }): Promise<PageAnswer> {
    const claims = this.claims('preferences', token);
    if (!('dealerId' in claims)) return claims;
    const row = (await this.reader.read(claims.dealerId, claims.messageId)) as StateRow | null;
    const state = row ? stateOf(row) : undefined;
    if (!state) return notFound();
    const t = textFor(state.locale);
    const notice =
      query.email === 'sent'
        ? { kind: 'email-sent' as const, text: `${t.saved} ${t.emailSent}` }
        : query.saved === '1'
          ? { kind: 'saved' as const, text: t.saved }
          : undefined;
    return { status: 200, html: preferencePage(await this.view(state, { unsubscribe: query.unsubscribe === '1', notice }), token) };
  }

  /**
   * POST /p/:token: each changed choice becomes a ledger statement (see README, Preference center),
   * phone is corrected at once, a new email address waits for its confirmation. A form rendered from
   * an older ledger state is refused (409) with the current state, never applied over a newer choice.
   */
  async save(token: string, form: PreferenceForm): Promise<PageAnswer> {
    const claims = this.claims('preferences', token);
    if (!('dealerId' in claims)) return claims;
    const dealerId = claims.dealerId;
    return this.tenant.run(dealerId, async (m) => {
      const found = await this.state(m, claims);
      if (!found) return notFound();
      // One save at a time per customer: the version check below and the writes see the same ledger.
      await m.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [found.customerId]);
      const state = (await this.state(m, claims))!;
      const t = textFor(state.locale);
      if (one(form.version) !== state.version) {
        const view = await this.view(state, { notice: { kind: 'stale', text: t.stale } });
        return { status: 409, html: preferencePage(view, token) };
      }
      const current = effective(state);
      const chosen = {
        nothing: one(form.nothing) === '1',
        channels: new Set(many(form.channel)),
        purposes: new Set(many(form.purpose)),
        vehicles: new Set(many(form.vehicle)),
      };
      const errors: { field: string; message: string }[] = [];
      const unknownVehicle = [...chosen.vehicles].find((id) => !state.vehicles.some((v) => v.id === id));
      if (unknownVehicle !== undefined) errors.push({ field: 'vehicle', message: 'is not one of your vehicles' });
      if ([...chosen.channels].some((c) => !(CHANNELS as readonly string[]).includes(c))) errors.push({ field: 'channel', message: 'must be email, sms, letter or phone' });
      if ([...chosen.purposes].some((p) => !(PURPOSES as readonly string[]).includes(p))) errors.push({ field: 'purpose', message: 'must be service or marketing' });
      const phone = normalisePhone(one(form.phone));
      if (phone === undefined) errors.push({ field: 'phone', message: 'must be a phone number with country code, such as +31 6 12345678' });
      // Without an address on record (letters, SMS) the field may stay empty; one on record cannot be removed here.
      const email = (one(form.email) ?? state.email ?? '').trim().toLowerCase();
      if ((email || state.email) && (!isEmail(email) || email.length > 254)) errors.push({ field: 'email', message: 'must be an email address' });
      if (errors.length) {
        const view = await this.view(state, {});
        return { status: 400, html: preferencePage({ ...view, email: one(form.email) ?? view.email, phone: one(form.phone) ?? view.phone, errors }, token) };
      }
      const statements = ledgerStatements(state, current, chosen);
      if (statements.length) {
        const at = new Date().toISOString();
        const byId = new Map(state.vehicles.map((v) => [v.id, v.externalId]));
        const rows: PendingRow<ConsentRow>[] = statements.map((s) => ({
          line: 0,
          externalId: state.customerExternalId,
          data: {
            customerExternalId: state.customerExternalId,
            vehicleExternalId: s.vehicleId ? byId.get(s.vehicleId) : undefined,
            channel: s.channel,
            purpose: s.purpose,
            granted: s.granted,
            source: 'preference-center',
            at,
          },
        }));
        const result = await appendConsents(m, dealerId, rows);
        if (result.errors.length) throw new Error(`preference center statements refused: ${JSON.stringify(result.errors)}`);
      }
      const changed: string[] = [];
      if (phone !== (state.phone ?? null)) {
        await m.query('UPDATE customers SET phone = $2, updated_at = now() WHERE id = $1', [state.customerId, phone]);
        changed.push('phone');
      }
      let emailSent = false;
      if (email !== (state.email ?? '').toLowerCase()) {
        await this.requestEmailChange(m, dealerId, state, email);
        emailSent = true;
      }
      if (changed.length || emailSent) {
        await this.audit.record(
          { kind: 'system', label: 'preference-center' },
          { action: 'customer.contact.update', entityType: 'Customer', entityId: state.customerExternalId, dealerId, details: { changed, emailConfirmationSent: emailSent } },
          m,
        );
      }
      return { redirect: `${token}?saved=1${emailSent ? '&email=sent' : ''}` };
    });
  }

  /** GET /u/:token: a page with one button; the change is made by its POST only. */
  async oneClickPage(token: string): Promise<PageAnswer> {
    const claims = this.claims('unsubscribe', token);
    if (!('dealerId' in claims)) return claims;
    const state = await this.tenant.run(claims.dealerId, (m) => this.state(m, claims));
    if (!state) return notFound();
    const t = textFor(state.locale);
    const theme = await this.theme(claims.dealerId, state.brandId);
    return { status: 200, html: buttonPage(state.locale, theme, t.oneClickTitle, t.oneClickText, { url: token, label: t.oneClickButton }) };
  }

  /**
   * POST /u/:token (RFC 8058): no more email from this dealer, for any purpose or vehicle. The
   * token acts once: replayed later (after the customer subscribed again in the preference
   * center), it changes nothing.
   */
  async oneClick(token: string): Promise<PageAnswer> {
    const claims = this.claims('unsubscribe', token);
    if (!('dealerId' in claims)) return claims;
    const dealerId = claims.dealerId;
    return this.tenant.run(dealerId, async (m) => {
      const state = await this.state(m, claims);
      if (!state) return notFound();
      const [first] = await m.query(
        `INSERT INTO link_token_uses (dealer_id, message_id, purpose) VALUES ($1, $2, 'unsubscribe') ON CONFLICT DO NOTHING RETURNING message_id`,
        [dealerId, claims.messageId],
      );
      if (first) {
        const result = await appendConsents(m, dealerId, [
          {
            line: 0,
            externalId: state.customerExternalId,
            data: {
              customerExternalId: state.customerExternalId,
              channel: consentChannelOf(state.messageChannel),
              purpose: 'all',
              granted: false,
              source: 'one-click-unsubscribe',
              at: new Date().toISOString(),
            },
          },
        ]);
        if (result.errors.length) throw new Error(`one-click unsubscribe refused: ${JSON.stringify(result.errors)}`);
      }
      const t = textFor(state.locale);
      return { status: 200, html: buttonPage(state.locale, await this.theme(dealerId, state.brandId), t.oneClickTitle, t.oneClickDone) };
    });
  }

  /** GET /p/confirm/:token: the pending address and a button; nothing changes yet. */
  async confirmPage(token: string): Promise<PageAnswer> {
    return this.confirmation(token, false);
  }

  /** POST /p/confirm/:token: applies the pending address, once, before it expires. */
  async confirm(token: string): Promise<PageAnswer> {
    return this.confirmation(token, true);
  }

  private async confirmation(token: string, apply: boolean): Promise<PageAnswer> {
    const claims = this.claims('email-change', token);
    if (!('dealerId' in claims)) return claims;
    const dealerId = claims.dealerId;
    return this.tenant.run(dealerId, async (m) => {
      const [change]: { customer_id: string; new_email: string; locale: string; brand_id: string | null; external_id: string }[] = await m.query(
        `SELECT ec.customer_id, ec.new_email, coalesce(c.locale, d.locale) AS locale, c.external_id,
                (SELECT brand_id FROM dealer_brands WHERE dealer_id = ec.dealer_id ORDER BY brand_id LIMIT 1) AS brand_id
           FROM email_changes ec JOIN customers c ON c.dealer_id = ec.dealer_id AND c.id = ec.customer_id JOIN dealers d ON d.id = ec.dealer_id
          WHERE ec.dealer_id = $1 AND ec.id = $2 AND ec.confirmed_at IS NULL AND ec.expires_at > now()
          FOR UPDATE OF ec`,
        [dealerId, claims.messageId],
      );
      if (!change) return notFound();
      const locale = pageLocale(change.locale);
      const t = textFor(locale);
      const theme = await this.theme(dealerId, change.brand_id);
      if (!apply) {
        return { status: 200, html: buttonPage(locale, theme, t.confirmTitle, t.confirmText(change.new_email), { url: token, label: t.confirmButton }) };
      }
      await m.query('UPDATE email_changes SET confirmed_at = now() WHERE dealer_id = $1 AND id = $2', [dealerId, claims.messageId]);
      await m.query('UPDATE customers SET email = $2, updated_at = now() WHERE id = $1', [change.customer_id, change.new_email]);
      await this.audit.record(
        { kind: 'system', label: 'preference-center' },
        { action: 'customer.email.confirm', entityType: 'Customer', entityId: change.external_id, dealerId, details: { changed: ['email'] } },
        m,
      );
      return { status: 200, html: buttonPage(locale, theme, t.confirmTitle, t.confirmDone) };
    });
  }

  /** A pending change (earlier unconfirmed ones for this customer are dropped) and the email with its link to the new address. */
  private async requestEmailChange(m: EntityManager, dealerId: string, state: CustomerState, email: string): Promise<void> {
    await m.query('DELETE FROM email_changes WHERE customer_id = $1 AND confirmed_at IS NULL', [state.customerId]);
    const [change]: { id: string }[] = await m.query(
      `INSERT INTO email_changes (dealer_id, customer_id, new_email, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING id`,
      [dealerId, state.customerId, email, EMAIL_CHANGE_HOURS],
    );
    const confirm = `${this.config.publicUrl}/p/confirm/${this.tokens.sign('email-change', { dealerId, messageId: change.id })}`;
    await this.outbox.enqueue(m, dealerId, [
      {
        dedupeKey: `email-change:${change.id}`,
        channel: 'email',
        template: 'preference-center/confirm-email',
        locale: state.locale,
        recipient: { name: '', email, locale: state.locale },
        brandId: state.brandId ?? undefined,
        customerId: state.customerId,
        data: { links: { confirm } },
      },
    ]);
  }

  /** The claims of a good token, or the neutral answer: 404 for anything not ours, 410 for an expired one. */
  private claims(purpose: LinkPurpose, token: string): LinkClaims | { status: number; html: string } {
    const claims = this.tokens.verify(purpose, token);
    if (!claims || !UUID.test(claims.dealerId) || !UUID.test(claims.messageId)) return notFound();
    if (isExpired(claims)) return { status: 410, html: neutralPage('expired') };
    return claims;
  }

  /** TypeORM's pg pool, as dispatch uses it: the page view skips TypeORM's per-query work and is a prepared statement. */
  private get pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  private async state(m: EntityManager, claims: LinkClaims): Promise<CustomerState | undefined> {
    const [{ state: row }] = await m.query(STATE_SQL, [claims.dealerId, claims.messageId]);
    return row ? stateOf(row) : undefined;
  }

  private async view(state: CustomerState, extra: Pick<PreferenceView, 'notice'> & { unsubscribe?: boolean }): Promise<PreferenceView> {
    const now = effective(state);
    return {
      locale: state.locale,
      dealerName: state.dealerName,
      theme: await this.theme(null, state.brandId),
      ...now,
      vehicles: state.vehicles.map((v) => ({ id: v.id, label: [v.model, v.plate].filter(Boolean).join(' · ') || v.externalId, on: now.vehicles.get(v.id) ?? true })),
      email: state.email ?? '',
      phone: state.phone ?? '',
      version: state.version,
      unsubscribe: extra.unsubscribe ?? false,
      notice: extra.notice,
    };
  }

  /** The message's brand theme (the dealer's first brand when the message names none), kept as long as the directory keeps the brand. */
  private async theme(dealerId: string | null, brandId: string | null): Promise<ThemeTokens> {
    const brands = await this.directory.allBrands();
    const id = brandId ?? (dealerId ? await this.directory.firstBrandOf(dealerId) : undefined);
    const brand = id ? brands.get(id) : undefined;
    if (!brand) return themeTokens({ name: '' });
    let theme = this.themes.get(brand);
    if (!theme) this.themes.set(brand, (theme = themeTokens(brand)));
    return theme;
  }
}

/** What `forecourt_preference_state` answers (JSON). */
interface StateRow extends Pick<CustomerState, 'customerId' | 'customerExternalId' | 'email' | 'phone' | 'dealerName' | 'brandId' | 'messageChannel' | 'vehicles'> {
  messageLocale: string;
  customerLocale: string | null;
  dealerLocale: string;
  ledger: { entries: (Omit<LedgerEntry, 'actedAt' | 'recordedAt'> & { actedAt: string; recordedAt: string })[]; version: string };
}

/** The statement's JSON as the page needs it. */
function stateOf(row: StateRow): CustomerState {
  return {
    customerId: row.customerId,
    customerExternalId: row.customerExternalId,
    email: row.email,
    phone: row.phone,
    locale: pageLocale(row.messageLocale, row.customerLocale, row.dealerLocale),
    dealerName: row.dealerName,
    brandId: row.brandId,
    messageChannel: row.messageChannel,
    vehicles: row.vehicles,
    ledger: row.ledger.entries.map((e) => ({
      ...e,
      actedAt: new Date(e.actedAt),
      recordedAt: new Date(e.recordedAt),
    })),
    version: row.ledger.version,
  };
}

function notFound(): { status: number; html: string } {
  return { status: 404, html: neutralPage('not-found') };
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[value.length - 1] : value);
const many = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * E.164 from what a person types: spaces, dashes, dots, slashes and brackets dropped, a leading 00
 * read as +. Empty clears the number (null); anything else not E.164 is undefined (an error).
 */
export function normalisePhone(input: string | undefined): string | null | undefined {
  const raw = (input ?? '').trim();
  if (!raw) return null;
  const compact = raw.replace(/[\s\-./()]/g, '').replace(/^00/, '+');
  return E164_PATTERN.test(compact) ? compact : undefined;
}

interface Effective {
  nothing: boolean;
  channels: Record<Channel, boolean>;
  purposes: Record<Purpose, boolean>;
  vehicles: Map<string, boolean>;
}

/**
 * The page's choices from the ledger: a channel is on when it may carry some purpose, a purpose
 * when some channel may carry it, a vehicle when some message about it may go out; "nothing" when
 * no message may go out at all.
 */
export function effective(state: Pick<CustomerState, 'ledger' | 'vehicles'>): Effective {
  const granted = (channel: Channel, purpose: Purpose, vehicleId: string | null) => decide(state.ledger, { channel, purpose, vehicleId }).granted;
  const channels = {} as Record<Channel, boolean>;
  const purposes = {} as Record<Purpose, boolean>;
  for (const c of CHANNELS) channels[c] = PURPOSES.some((p) => granted(c, p, null));
  for (const p of PURPOSES) purposes[p] = CHANNELS.some((c) => granted(c, p, null));
  const vehicles = new Map(state.vehicles.map((v) => [v.id, CHANNELS.some((c) => PURPOSES.some((p) => granted(c, p, v.id)))]));
  const nothing = !CHANNELS.some((c) => channels[c]) && ![...vehicles.values()].some(Boolean);
  return { nothing, channels, purposes, vehicles };
}

export interface Statement {
  channel: Channel | 'all';
  purpose: Purpose | 'all';
  vehicleId: string | null;
  granted: boolean;
}

/**
 * The ledger statements for what the customer changed, at the most specific level they touched
 * (all made at one moment, so the ledger resolves them by specificity):
 * - "nothing more" ticked: channel all, purpose all, refused;
 * - a channel unticked: that channel, every purpose; a purpose unticked: that purpose, every
 *   channel; a vehicle unticked: that vehicle, every channel and purpose;
 * - something ticked again grants only what the form shows ticked: each ticked channel × ticked
 *   purpose pair it is part of (for a vehicle, those pairs for that vehicle), and the unticked
 *   vehicles are refused again at the same moment, so a wider grant does not reopen them.
 */
export function ledgerStatements(
  state: Pick<CustomerState, 'vehicles'>,
  current: Effective,
  chosen: { nothing: boolean; channels: Set<string>; purposes: Set<string>; vehicles: Set<string> },
): Statement[] {
  if (chosen.nothing) return current.nothing ? [] : [{ channel: 'all', purpose: 'all', vehicleId: null, granted: false }];
  const out = new Map<string, Statement>();
  const add = (s: Statement) => out.set(`${s.channel}|${s.purpose}|${s.vehicleId ?? ''}`, s);
  const channelsOn = CHANNELS.filter((c) => chosen.channels.has(c));
  const purposesOn = PURPOSES.filter((p) => chosen.purposes.has(p));
  for (const c of CHANNELS) if (current.channels[c] && !chosen.channels.has(c)) add({ channel: c, purpose: 'all', vehicleId: null, granted: false });
  for (const p of PURPOSES) if (current.purposes[p] && !chosen.purposes.has(p)) add({ channel: 'all', purpose: p, vehicleId: null, granted: false });
  for (const v of state.vehicles) if (current.vehicles.get(v.id) && !chosen.vehicles.has(v.id)) add({ channel: 'all', purpose: 'all', vehicleId: v.id, granted: false });
  let widened = false;
  for (const c of channelsOn) {
    for (const p of purposesOn) {
      if (!current.channels[c] || !current.purposes[p]) {
        add({ channel: c, purpose: p, vehicleId: null, granted: true });
        widened = true;
      }
    }
  }
  for (const v of state.vehicles) {
    if (!current.vehicles.get(v.id) && chosen.vehicles.has(v.id)) {
      for (const c of channelsOn) for (const p of purposesOn) add({ channel: c, purpose: p, vehicleId: v.id, granted: true });
    }
  }
  if (widened) {
    for (const v of state.vehicles) if (!chosen.vehicles.has(v.id)) add({ channel: 'all', purpose: 'all', vehicleId: v.id, granted: false });
  }
  return [...out.values()];
}
