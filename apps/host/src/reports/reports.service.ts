import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessPolicy } from '../auth/access.policy';
import { Principal } from '../auth/principal';
import { ServiceSubscriptions } from '../campaigns/services/service-subscriptions.service';
import { TenantDb } from '../database/tenant-db.service';
import { BrandCell, BrandRow, FIGURES, Figures, figuresOf, NullableFigures, RowKey, suppressSmallGroups, zeroFigures } from './report-suppression';
import { REPORT_POLICY, reportRange, wholeWeeks } from './report.policy';

export interface DealerReportRow extends RowKey, Figures {}

export interface DealerReport {
  dealerId: string;
  from: string;
  to: string;
  totals: Figures;
  rows: DealerReportRow[];
  budget: { serviceKey: string; monthlyBudgetCents: number | null; spentCents: number; month: string }[];
}

export interface BrandReport {
  brandId: string;
  from: string;
  to: string;
  dealers: number;
  totals: NullableFigures & { suppressed: boolean };
  rows: BrandRow[];
}

interface FigureRow {
  week: string;
  service_key: string | null;
  channel: string;
  customers: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  failed: number;
  appointments: number;
  cost_cents: number;
}

/**
 * A dealer's figures by ISO week (of the day a message was for: send_on, else when it was sent or
 * made, in the dealer's time zone), service and channel. Rules (README, Reports):
 * - a message is in the report when it went out (sent_at set) or ended failed or bounced;
 * - sent: went out (also when a delivery report later said failed or bounced);
 * - delivered / opened / clicked: its status got at least that far (a click counts as an open;
 *   an open as a delivery); bounced, failed: its status is that;
 * - appointments: conversions. An appointment (not cancelled) booked within the conversion window
 *   after a message went out to its customer converts the latest such message; a message that
 *   failed or bounced converts nothing; a message about vehicles only converts appointments for
 *   one of them. One appointment converts at most one message;
 * - costCents: the dealer's cost (after subsidy) of messages that went out;
 * - customers: distinct customers, for the brand report's suppression only.
 * Conversions are judged over all the dealer's messages, so a brand filter does not move them.
 */
const FIGURES_SQL = `
  WITH went AS (
    SELECT id, customer_id, vehicle_ids, sent_at FROM messages
     WHERE dealer_id = $1 AND sent_at IS NOT NULL AND status NOT IN ('failed', 'bounced') AND customer_id IS NOT NULL
  ), conversions AS (
    SELECT DISTINCT ON (a.id) w.id AS message_id
      FROM appointments a
      JOIN went w ON w.customer_id = a.customer_id AND w.sent_at <= a.booked_at AND a.booked_at < w.sent_at + make_interval(days => $4)
                 AND (cardinality(w.vehicle_ids) = 0 OR a.vehicle_id = ANY(w.vehicle_ids))
     WHERE a.dealer_id = $1 AND a.booked_at IS NOT NULL AND a.status <> 'cancelled'
     ORDER BY a.id, w.sent_at DESC, w.id DESC
  ), converted AS (
    SELECT message_id, count(*)::int AS n FROM conversions GROUP BY message_id
  ), scoped AS (
    SELECT m.id, m.customer_id, m.service_key, m.channel, m.status, m.sent_at, m.dealer_cost_cents,
           coalesce(m.send_on, (coalesce(m.sent_at, m.created_at) AT TIME ZONE d.timezone)::date) AS day
      FROM messages m JOIN dealers d ON d.id = m.dealer_id
     WHERE m.dealer_id = $1 AND (m.sent_at IS NOT NULL OR m.status IN ('failed', 'bounced'))
       AND ($5::uuid IS NULL OR m.brand_id = $5::uuid)
  )
  SELECT to_char(date_trunc('week', s.day::timestamp), 'YYYY-MM-DD') AS week, s.service_key, s.channel,
         count(DISTINCT s.customer_id)::int AS customers,
         count(*) FILTER (WHERE s.sent_at IS NOT NULL)::int AS sent,
         count(*) FILTER (WHERE s.status IN ('delivered', 'opened', 'clicked'))::int AS delivered,
         count(*) FILTER (WHERE s.status IN ('opened', 'clicked'))::int AS opened,
         count(*) FILTER (WHERE s.status = 'clicked')::int AS clicked,
         count(*) FILTER (WHERE s.status = 'bounced')::int AS bounced,
         count(*) FILTER (WHERE s.status = 'failed')::int AS failed,
         coalesce(sum(c.n), 0)::int AS appointments,
         coalesce(sum(s.dealer_cost_cents) FILTER (WHERE s.sent_at IS NOT NULL), 0)::int AS cost_cents
    FROM scoped s LEFT JOIN converted c ON c.message_id = s.id
   WHERE s.day BETWEEN $2::date AND $3::date
   GROUP BY 1, 2, 3
   ORDER BY 1, 2 NULLS FIRST, 3`;

const rowOf = (r: FigureRow): DealerReportRow => ({
  week: r.week,
  serviceKey: r.service_key,
  channel: r.channel,
  sent: r.sent,
  delivered: r.delivered,
  opened: r.opened,
  clicked: r.clicked,
  bounced: r.bounced,
  failed: r.failed,
  appointments: r.appointments,
  costCents: Number(r.cost_cents),
});

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Dealer reports are read inside the dealer's data room (TenantDb, row-level security). The brand
 * report is the same query run in each data room of the dealers selling the brand, one
 * transaction each, summed here: the app role never reads a row across the dealer wall, and what
 * leaves a data room is counts per row only, never a customer.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenant: TenantDb,
    private readonly access: AccessPolicy,
    private readonly subscriptions: ServiceSubscriptions,
  ) {}

  async dealerReport(principal: Principal, dealerId: string, query: { from?: unknown; to?: unknown }): Promise<DealerReport> {
    const [dealer] = await this.dataSource.query('SELECT id FROM dealers WHERE id = $1', [dealerId]);
    if (!dealer || (principal.dealerId && principal.dealerId !== dealerId)) throw new NotFoundException('dealer not found');
    if (!this.access.can(principal, 'read', 'Report', { dealerId })) {
      throw new ForbiddenException(`a ${principal.role} does not see dealer reports`);
    }
    const { from, to } = reportRange(query, today());
    const rows = (await this.tenant.run(dealerId, (m) => this.figures(m, dealerId, from, to, null))).map(rowOf);
    const totals = zeroFigures();
    for (const row of rows) for (const f of FIGURES) totals[f] += row[f];
    return { dealerId, from, to, totals, rows, budget: await this.budget(dealerId, to) };
  }

  async brandReport(principal: Principal, brandId: string, query: { from?: unknown; to?: unknown }): Promise<BrandReport> {
    if (principal.dealerId) throw new ForbiddenException(`a ${principal.role} does not see brand reports`);
    const [brand] = await this.dataSource.query('SELECT id FROM brands WHERE id = $1', [brandId]);
    if (!brand || !this.access.can(principal, 'read', 'Report', { brandId })) throw new NotFoundException('brand not found');
    const { from, to } = wholeWeeks(reportRange(query, today()));
    const dealerIds: string[] = (await this.dataSource.query('SELECT dealer_id FROM dealer_brands WHERE brand_id = $1 ORDER BY dealer_id', [brandId])).map(
      (r: { dealer_id: string }) => r.dealer_id,
    );
    const cells = new Map<string, BrandCell>();
    for (const dealerId of dealerIds) {
      const rows = await this.tenant.run(dealerId, (m) => this.figures(m, dealerId, from, to, brandId));
      for (const r of rows) {
        const key = JSON.stringify([r.week, r.service_key, r.channel]);
        const cell = cells.get(key) ?? { week: r.week, serviceKey: r.service_key, channel: r.channel, dealers: 0, customers: 0, ...zeroFigures() };
        const figures = figuresOf(rowOf(r));
        for (const f of FIGURES) cell[f] += figures[f];
        cell.dealers++;
        cell.customers += r.customers;
        cells.set(key, cell);
      }
    }
    const ordered = [...cells.values()].sort(
      (a, b) => a.week.localeCompare(b.week) || (a.serviceKey ?? '').localeCompare(b.serviceKey ?? '') || a.channel.localeCompare(b.channel),
    );
    const { rows, totals } = suppressSmallGroups(ordered);
    return { brandId, from, to, dealers: dealerIds.length, totals, rows };
  }

  private figures(m: EntityManager, dealerId: string, from: string, to: string, brandId: string | null): Promise<FigureRow[]> {
    return m.query(FIGURES_SQL, [dealerId, from, to, REPORT_POLICY.conversionWindowDays, brandId]);
  }

  /** Each service the dealer has on, budgets or spent on in the month of `to`, by the same rule as the services list. */
  private async budget(dealerId: string, to: string): Promise<DealerReport['budget']> {
    const [services, spend] = await Promise.all([this.subscriptions.forDealer(dealerId), this.subscriptions.spendThisMonth(dealerId, to)]);
    const month = to.slice(0, 7);
    return services
      .filter((s) => s.enabled || s.monthlyBudgetCents !== null || spend[s.key])
      .map((s) => ({ serviceKey: s.key, monthlyBudgetCents: s.monthlyBudgetCents, spentCents: spend[s.key] ?? 0, month }));
  }
}
