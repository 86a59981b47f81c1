import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { upsertAppointments } from '../data-room/appointments/appointments.writer';
import { appendConsents } from '../data-room/consents/consents.writer';
import { upsertCustomers } from '../data-room/customers/customers.writer';
import { RecordWriter } from '../data-room/record-writer';
import { upsertVehicles } from '../data-room/vehicles/vehicles.writer';
import { TenantDb } from '../database/tenant-db.service';
import { Brand } from '../network/brands/brand.entity';
import { Dealer } from '../network/dealers/dealer.entity';
import { UsersService } from '../network/users/users.service';
import { DEMO_PASSWORD, DemoDealer, DemoNetwork, DemoRecord, generateDemoNetwork } from './demo-network';

/** Held while seeding, so two processes booting on one empty database seed it once. */
const SEED_LOCK = 74203;
const BATCH = 500;

export interface DemoSeedSummary {
  network: string;
  brands: number;
  dealers: number;
  users: number;
  customers: number;
  vehicles: number;
  consents: number;
  appointments: number;
  ms: number;
}

export function describeDemoSeed(s: DemoSeedSummary): string {
  const n = (value: number) => value.toLocaleString('en');
  return (
    `seeded demo network "${s.network}": ${s.brands} brands, ${s.dealers} dealers, ${s.users} users, ${n(s.customers)} customers, ` +
    `${n(s.vehicles)} vehicles, ${n(s.consents)} consents, ${n(s.appointments)} appointments in ${(s.ms / 1000).toFixed(1)}s`
  );
}

/** What boot adds to a database: the first network admin, and the demo network on an empty one. */
@Injectable()
export class SeedService {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly tenant: TenantDb,
    private readonly audit: AuditService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  async onBoot(): Promise<void> {
    if (this.config.adminEmail && this.config.adminPassword && !(await this.users.exists(this.config.adminEmail))) {
      await this.users.createUser({ email: this.config.adminEmail, password: this.config.adminPassword, role: 'network-admin' });
      this.logger.log(`created network admin ${this.config.adminEmail}`);
    }
    if (this.config.demo) {
      const summary = await this.seedDemo();
      if (summary) this.logger.log(describeDemoSeed(summary));
    }
  }

  /**
   * Seeds the demo network if the database has no brands yet, and answers what it seeded; a
   * database with any brand (the demo itself after a restart, or a real network) is left alone.
   */
  async seedDemo(options: { progress?: (line: string) => void } = {}): Promise<DemoSeedSummary | undefined> {
    const started = Date.now();
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [SEED_LOCK]);
      const [{ taken }] = await lock.query('SELECT EXISTS (SELECT 1 FROM brands) AS taken');
      if (taken) return undefined;
      const demo = generateDemoNetwork(new Date().toISOString().slice(0, 10));
      const { dealerIds, users } = await this.dataSource.transaction((m) => this.writeNetwork(m, demo));
      const totals = { customers: 0, vehicles: 0, consents: 0, appointments: 0 };
      for (const [i, dealer] of demo.dealers.entries()) {
        const dealerId = dealerIds.get(dealer.key)!;
        const counts = await this.tenant.run(dealerId, (m) => this.writeDataRoom(m, dealerId, dealer));
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
        options.progress?.(
          `demo: ${dealer.name} (${i + 1}/${demo.dealers.length}): ${counts.customers} customers, ${counts.vehicles} vehicles`,
        );
      }
      const summary: DemoSeedSummary = {
        network: demo.name,
        brands: demo.brands.length,
        dealers: demo.dealers.length,
        users,
        ...totals,
        ms: Date.now() - started,
      };
      const { ms: _ms, ...details } = summary;
      await this.audit.record({ kind: 'system', label: 'demo seed' }, { action: 'demo.seed', details });
      return summary;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK]).catch(() => undefined);
      await lock.release();
    }
  }

  /** Brands, dealers and users in one transaction. A demo login that already exists (e.g. FORECOURT_ADMIN_EMAIL) is kept. */
  private async writeNetwork(m: EntityManager, demo: DemoNetwork) {
    const brands = await m.getRepository(Brand).save(demo.brands.map((b) => m.getRepository(Brand).create(b)));
    const brandByKey = new Map(brands.map((b) => [b.key, b]));
    const dealerIds = new Map<string, string>();
    for (const d of demo.dealers) {
      const dealer = await m.getRepository(Dealer).save(
        m.getRepository(Dealer).create({
          key: d.key,
          name: d.name,
          timezone: d.timezone,
          locale: d.locale,
          email: d.email,
          phone: d.phone,
          address: d.address,
          senderName: d.senderName,
          senderEmail: d.senderEmail,
          brands: d.brandKeys.map((key) => brandByKey.get(key)!),
        }),
      );
      dealerIds.set(d.key, dealer.id);
    }
    // Services switched on as a dealer network would have them, so a first `run` shows the product at work.
    await m.query(
      `INSERT INTO service_policies (brand_id, service_key, mode, subsidy_percent)
       SELECT id, 'inspection-reminder', 'mandatory', 30 FROM brands WHERE id = ANY($1::uuid[])`,
      [brands.map((b) => b.id)],
    );
    for (const [index, dealerId] of [...dealerIds.values()].entries()) {
      await m.query(
        `INSERT INTO service_subscriptions (dealer_id, service_key, enabled, monthly_budget_cents, settings)
         SELECT $1, s.key, true, s.budget, '{}'::jsonb FROM (VALUES ('inspection-reminder', 25000), ('maintenance-reminder', 15000), ('birthday-greeting', 2000)) AS s(key, budget)
          WHERE s.key <> 'birthday-greeting' OR $2`,
        [dealerId, index % 2 === 0],
      );
    }
    let users = 0;
    for (const u of demo.users) {
      if (await this.users.exists(u.email)) continue;
      await this.users.createUser(
        {
          email: u.email,
          password: DEMO_PASSWORD,
          name: u.name,
          role: u.role,
          brandIds: u.brandKeys?.map((key) => brandByKey.get(key)!.id),
          dealerId: u.dealerKey ? dealerIds.get(u.dealerKey) : undefined,
        },
        m,
      );
      users++;
    }
    return { dealerIds, users };
  }

  /** A dealer's records through the same writers the API and imports use, in batches. */
  private async writeDataRoom(m: EntityManager, dealerId: string, dealer: DemoDealer) {
    return {
      customers: await this.write(m, dealerId, upsertCustomers, dealer.customers),
      vehicles: await this.write(m, dealerId, upsertVehicles, dealer.vehicles),
      consents: await this.write(m, dealerId, appendConsents, dealer.consents),
      appointments: await this.write(m, dealerId, upsertAppointments, dealer.appointments),
    };
  }

  private async write<T>(m: EntityManager, dealerId: string, writer: RecordWriter<T>, records: DemoRecord<T>[]): Promise<number> {
    let written = 0;
    for (let start = 0; start < records.length; start += BATCH) {
      const rows = records.slice(start, start + BATCH).map((r, i) => ({ line: start + i + 1, externalId: r.externalId, data: r.data }));
      const result = await writer(m, dealerId, rows);
      if (result.errors.length) {
        const [e] = result.errors;
        throw new Error(`demo seed: record ${rows[e.line - start - 1].externalId} refused: ${e.field} ${e.message}`);
      }
      written += result.written.length;
    }
    return written;
  }
}
