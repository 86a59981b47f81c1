import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../../auth/access.policy';
import { Principal } from '../../auth/principal';
import { fieldError, ValidationProblem } from '../../common/problem';
import { TenantDb } from '../../database/tenant-db.service';
import { CatalogEntry, ServiceCatalog } from './service-catalog.service';
import { ServicePolicyDto, SubscriptionDto } from './service-policy.dto';
import { boundedSchema, boundsProblems, SettingsBounds, settingsProblems } from './settings-bounds';

export interface BrandPolicy {
  brandId: string;
  mode: 'optional' | 'mandatory' | 'unavailable';
  subsidyPercent: number;
  settingsBounds: SettingsBounds;
}

/** A service as it stands for one dealer: what its brands allow and what the dealer chose. */
export interface DealerService {
  key: string;
  /** mandatory if any of the dealer's brands makes it so; unavailable if every brand does. */
  mode: 'optional' | 'mandatory' | 'unavailable';
  enabled: boolean;
  monthlyBudgetCents: number | null;
  /** Defaults overlaid with the dealer's own settings. */
  settings: Record<string, unknown>;
  /** Subsidy by brand id, for messages about that brand's vehicles. */
  subsidyByBrand: Record<string, number>;
  policies: BrandPolicy[];
}

@Injectable()
export class ServiceSubscriptions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: ServiceCatalog,
    private readonly access: AccessPolicy,
    private readonly tenant: TenantDb,
  ) {}

  async setBrandPolicy(principal: Principal, brandId: string, serviceKey: string, dto: ServicePolicyDto) {
    const brand = await this.dataSource.query('SELECT 1 FROM brands WHERE id = $1', [brandId]);
    if (!brand.length || !this.access.can(principal, 'read', 'Brand', { id: brandId })) throw new NotFoundException('brand not found');
    this.access.assert(principal, 'update', 'ServicePolicy', { brandId });
    const service = this.catalog.service(serviceKey);
    const problems = boundsProblems(service.definition.settings, dto.settingsBounds ?? {});
    if (problems.length) throw new ValidationProblem(problems);
    await this.dataSource.query(
      `INSERT INTO service_policies (brand_id, service_key, mode, subsidy_percent, settings_bounds) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (brand_id, service_key) DO UPDATE SET mode = excluded.mode, subsidy_percent = excluded.subsidy_percent,
         settings_bounds = excluded.settings_bounds, updated_at = now()`,
      [brandId, serviceKey, dto.mode, dto.subsidyPercent ?? 0, JSON.stringify(dto.settingsBounds ?? {})],
    );
    return { brandId, serviceKey, mode: dto.mode, subsidyPercent: dto.subsidyPercent ?? 0, settingsBounds: dto.settingsBounds ?? {} };
  }

  async brandPolicies(principal: Principal, brandId: string) {
    const brand = await this.dataSource.query('SELECT 1 FROM brands WHERE id = $1', [brandId]);
    if (!brand.length || !this.access.can(principal, 'read', 'Brand', { id: brandId })) throw new NotFoundException('brand not found');
    const rows = await this.policiesOf([brandId]);
    return this.catalog.services().map((s) => {
      const p = rows.find((r) => r.serviceKey === s.key);
      return { serviceKey: s.key, mode: p?.mode ?? 'optional', subsidyPercent: p?.subsidyPercent ?? 0, settingsBounds: p?.settingsBounds ?? {} };
    });
  }

  private async policiesOf(brandIds: string[]): Promise<(BrandPolicy & { serviceKey: string })[]> {
    const rows = await this.dataSource.query(
      `SELECT brand_id AS "brandId", service_key AS "serviceKey", mode, subsidy_percent AS "subsidyPercent", settings_bounds AS "settingsBounds"
         FROM service_policies WHERE brand_id = ANY($1::uuid[])`,
      [brandIds],
    );
    return rows;
  }

  /** Every service for a dealer, for the console and the engine alike. */
  async forDealer(dealerId: string): Promise<DealerService[]> {
    const brandIds: string[] = (await this.dataSource.query('SELECT brand_id FROM dealer_brands WHERE dealer_id = $1', [dealerId])).map(
      (r: { brand_id: string }) => r.brand_id,
    );
    const policies = await this.policiesOf(brandIds);
    const subscriptions: { service_key: string; enabled: boolean; monthly_budget_cents: number | null; settings: Record<string, unknown> }[] =
      await this.dataSource.query('SELECT service_key, enabled, monthly_budget_cents, settings FROM service_subscriptions WHERE dealer_id = $1', [dealerId]);
    return this.catalog.services().map((service) => {
      const own = policies.filter((p) => p.serviceKey === service.key);
      const modeOf = (brandId: string) => own.find((p) => p.brandId === brandId)?.mode ?? 'optional';
      const modes = brandIds.map(modeOf);
      const mode = modes.includes('mandatory') ? 'mandatory' : modes.length && modes.every((m) => m === 'unavailable') ? 'unavailable' : 'optional';
      const subscription = subscriptions.find((s) => s.service_key === service.key);
      return {
        key: service.key,
        mode,
        enabled: mode === 'mandatory' || (mode === 'optional' && !!subscription?.enabled),
        monthlyBudgetCents: subscription?.monthly_budget_cents ?? null,
        settings: { ...this.catalog.defaults(service.definition), ...(subscription?.settings ?? {}) },
        subsidyByBrand: Object.fromEntries(own.map((p) => [p.brandId, p.subsidyPercent])),
        policies: own,
      };
    });
  }

  private async assertDealer(principal: Principal, dealerId: string, action: 'read' | 'update') {
    const found = await this.dataSource.query('SELECT 1 FROM dealers WHERE id = $1', [dealerId]);
    if (!found.length || !this.access.can(principal, 'read', 'Subscription', { dealerId })) throw new NotFoundException('dealer not found');
    this.access.assert(principal, action, 'Subscription', { dealerId });
  }

  /** GET /api/dealers/:dealerId/services: state, settings, budget and this month's spend per service. */
  async list(principal: Principal, dealerId: string, asOf = new Date().toISOString().slice(0, 10)) {
    await this.assertDealer(principal, dealerId, 'read');
    const services = await this.forDealer(dealerId);
    const spend = await this.spendThisMonth(dealerId, asOf);
    return services.map((s) => this.view(this.catalog.service(s.key), s, spend[s.key] ?? 0));
  }

  async set(principal: Principal, dealerId: string, serviceKey: string, dto: SubscriptionDto) {
    await this.assertDealer(principal, dealerId, 'update');
    const service = this.catalog.service(serviceKey);
    const current = (await this.forDealer(dealerId)).find((s) => s.key === serviceKey)!;
    if (current.mode === 'mandatory' && !dto.enabled) throw fieldError('enabled', 'the brand makes this service mandatory');
    if (current.mode === 'unavailable' && dto.enabled) throw fieldError('enabled', 'the brand does not offer this service');
    const settings = dto.settings ?? {};
    const schema = boundedSchema(service.definition.settings, current.policies.map((p) => p.settingsBounds));
    const problems = settingsProblems(schema, { ...this.catalog.defaults(service.definition), ...settings });
    if (problems.length) throw new ValidationProblem(problems);
    await this.dataSource.query(
      `INSERT INTO service_subscriptions (dealer_id, service_key, enabled, monthly_budget_cents, settings) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dealer_id, service_key) DO UPDATE SET enabled = excluded.enabled, monthly_budget_cents = excluded.monthly_budget_cents,
         settings = excluded.settings, updated_at = now()`,
      [dealerId, serviceKey, dto.enabled, dto.monthlyBudgetCents ?? null, JSON.stringify(settings)],
    );
    const updated = (await this.forDealer(dealerId)).find((s) => s.key === serviceKey)!;
    const spend = await this.spendThisMonth(dealerId, new Date().toISOString().slice(0, 10));
    return this.view(service, updated, spend[serviceKey] ?? 0);
  }

  /** The dealer's share of what its messages cost this calendar month, by service. */
  async spendThisMonth(dealerId: string, asOf: string): Promise<Record<string, number>> {
    const rows: { service_key: string; spent: string }[] = await this.tenant.run(dealerId, (m) =>
      m.query(
        `SELECT service_key, sum(dealer_cost_cents) AS spent FROM messages
          WHERE send_on >= date_trunc('month', $1::date) AND send_on < date_trunc('month', $1::date) + interval '1 month'
            AND status NOT IN ('held', 'failed') GROUP BY service_key`,
        [asOf],
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.service_key, Number(r.spent)]));
  }

  private view(entry: CatalogEntry, s: DealerService, spentThisMonthCents: number) {
    return {
      key: s.key,
      name: entry.name,
      state: s.mode === 'unavailable' ? 'unavailable' : s.mode === 'mandatory' ? 'mandatory' : s.enabled ? 'on' : 'off',
      enabled: s.enabled,
      mode: s.mode,
      settings: s.settings,
      settingsBounds: Object.assign({}, ...s.policies.map((p) => p.settingsBounds)),
      monthlyBudgetCents: s.monthlyBudgetCents,
      spentThisMonthCents,
      subsidyByBrand: s.subsidyByBrand,
    };
  }
}
