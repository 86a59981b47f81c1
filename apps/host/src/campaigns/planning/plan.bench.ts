import { addDays } from '@forecourt/sdk';
import { DataSource } from 'typeorm';
import { TenantDb } from '../../database/tenant-db.service';
import { RunsService } from '../runs/runs.service';

export interface PlanBenchResult {
  dealers: number;
  vehicles: number;
  customers: number;
  generateSeconds: number;
  planSeconds: number;
  messages: number;
  peakRssMb: number;
}

/**
 * Generates a network of `dealers` dealers holding `vehicles` vehicles in all (about 2.5 per
 * customer, some fleets), every inspection falling due within the lead time of `asOf` — a
 * whole year's occasions at once, the worst case — then plans that day for every dealer.
 * Generation runs inside PostgreSQL (generate_series), per dealer, through the tenant wall.
 */
export async function measurePlanning(
  dataSource: DataSource,
  tenant: TenantDb,
  runs: RunsService,
  options: {
    dealers: number;
    vehicles: number;
    asOf: string;
    progress?: (line: string) => void;
    /**
     * VACUUM ANALYZE and CHECKPOINT, which need the tables' owner: without fresh statistics the
     * planner's queries crawl, and a network's tables have long been vacuumed and checkpointed
     * before any given day.
     */
    analyze: () => Promise<void>;
  },
): Promise<PlanBenchResult> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const say = options.progress ?? (() => undefined);
  try {
    const generateStart = Date.now();
    const [brand] = await dataSource.query(
      `INSERT INTO brands (key, name, theme) VALUES ('bench-' || substr(md5(random()::text), 1, 8), 'Bench', '{"primaryColor":"#333333"}') RETURNING id`,
    );
    const perDealer = Math.ceil(options.vehicles / options.dealers);
    const customersPerDealer = Math.ceil(perDealer / 2.5);
    const dealerIds: string[] = [];
    let vehicles = 0;
    let customers = 0;
    for (let d = 0; d < options.dealers; d++) {
      const [dealer] = await dataSource.query(
        `INSERT INTO dealers (key, name, timezone, locale) VALUES ('bench-' || substr(md5(random()::text), 1, 10), $1, $2, $3) RETURNING id`,
        [`Bench dealer ${d + 1}`, d % 2 ? 'Europe/Berlin' : 'Europe/Amsterdam', d % 2 ? 'de' : 'nl'],
      );
      dealerIds.push(dealer.id);
      await dataSource.query('INSERT INTO dealer_brands (dealer_id, brand_id) VALUES ($1, $2)', [dealer.id, brand.id]);
      await dataSource.query(`INSERT INTO service_subscriptions (dealer_id, service_key, enabled, settings) VALUES ($1, 'inspection-reminder', true, '{}')`, [dealer.id]);
      await tenant.run(dealer.id, async (m) => {
        // Every 25th customer is a company; most have an email, the rest a postal address only.
        // Names differ between dealers: few people are customers of two dealers.
        await m.query(
          `INSERT INTO customers (dealer_id, external_id, kind, first_name, last_name, company_name, email, phone, street, postal_code, city, country, locale)
           SELECT $1, 'C' || i, CASE WHEN i % 25 = 0 THEN 'company' ELSE 'person' END,
                  CASE WHEN i % 25 = 0 THEN NULL ELSE 'Kim' END, CASE WHEN i % 25 = 0 THEN NULL ELSE 'Jansen ' || $3 || '-' || i END,
                  CASE WHEN i % 25 = 0 THEN 'Fleet ' || $3 || '-' || i || ' BV' END,
                  CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '.' || $3 || '@bench.test' END,
                  '+3161' || lpad(i::text, 7, '0'), 'Straat ' || i, lpad((1000 + i % 8999)::text, 4, '0') || ' AB', 'Utrecht', 'NL', $4
             FROM generate_series(1, $2) AS i`,
          [dealer.id, customersPerDealer, d, d % 2 ? 'de' : 'nl'],
        );
        await m.query(
          `INSERT INTO vehicles (dealer_id, external_id, customer_id, brand_id, model, license_plate, inspection_due_date, mileage_km)
           SELECT $1, 'V' || i, c.id, $3, 'Model ' || (i % 5), 'BN-' || i, $4::date + (i % 42), 10000 + i % 90000
             FROM generate_series(1, $2) AS i
             JOIN customers c ON c.external_id = 'C' || (1 + (i * 7919) % $5)`,
          [dealer.id, perDealer, brand.id, options.asOf, customersPerDealer],
        );
        const [counts] = await m.query('SELECT (SELECT count(*) FROM vehicles)::int AS v, (SELECT count(*) FROM customers)::int AS c');
        vehicles += counts.v;
        customers += counts.c;
      });
      if ((d + 1) % 10 === 0) say(`generated ${d + 1}/${options.dealers} dealers`);
    }
    await options.analyze();
    const generateSeconds = (Date.now() - generateStart) / 1000;

    // The day is planned the way a run plans it (RunsService), without sending what it queues.
    const planStart = Date.now();
    let messages = 0;
    const summary = await runs.start(await runs.dealerFacts(dealerIds), {
      asOf: options.asOf,
      wait: true,
      dispatch: false,
      startedBy: 'bench',
      onProgress: (run) => {
        messages = run.messages.total + run.held;
        if (run.progress.dealersDone % 10 === 0) say(`planned ${run.progress.dealersDone}/${run.progress.dealers} dealers, ${messages} messages`);
      },
    });
    messages = summary.messages.total + summary.held;
    const planSeconds = (Date.now() - planStart) / 1000;
    return { dealers: options.dealers, vehicles, customers, generateSeconds, planSeconds, messages, peakRssMb: Math.round(peakRss / 1048576) };
  } finally {
    clearInterval(sampler);
  }
}

/** The bench plans "today + 1" so nothing is held for a send window in the past. */
export function benchDay(): string {
  return addDays(new Date().toISOString().slice(0, 10), 1);
}
