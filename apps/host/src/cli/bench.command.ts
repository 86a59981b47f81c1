import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createForecourtApp, createForecourtContext } from '../app.factory';
import { RunsService } from '../campaigns/runs/runs.service';
import { benchDay, measurePlanning } from '../campaigns/planning/plan.bench';
import { prepareDatabase } from '../database/database.bootstrap';
import { TenantDb } from '../database/tenant-db.service';
import { measureDispatch } from '../dispatch/dispatch.bench';
import { measureLetters } from '../letters/letters.bench';
import { measurePreferences } from '../preferences/preferences.bench';
import { measureRender } from '../rendering/rendering.bench';
import { CliCommand, CliUsageError } from './command';

const BENCH_DATABASE = 'forecourt_bench';
const PARTS = ['render', 'dispatch', 'letters', 'planning', 'preferences'];

function positiveInt(value: string | true | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CliUsageError(`--${name} must be a positive whole number`);
  return n;
}

/**
 * Measures on a database of its own beside the configured one (forecourt_bench on the same
 * server), so the benchmark's million vehicles never mix with real or demo data.
 */
export const benchCommand: CliCommand = {
  name: 'bench',
  usage: 'bench [--only render,dispatch,letters,planning,preferences] [--vehicles N] [--dealers N] [--json] [--keep]',
  description: 'measure rendering, dispatch, letters, planning and the preference center (a generated network)',
  async run(args, context) {
    const parts = typeof args.options.only === 'string' ? args.options.only.split(',') : PARTS;
    const unknown = parts.filter((p) => !PARTS.includes(p));
    if (unknown.length) throw new CliUsageError(`--only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
    const vehicles = positiveInt(args.options.vehicles, 1_000_000, 'vehicles');
    const dealers = positiveInt(args.options.dealers, 100, 'dealers');
    const main = await prepareDatabase(context.config, context.say);
    const url = new URL(main.ownerUrl);
    url.pathname = `/${BENCH_DATABASE}`;
    const admin = new Client({ connectionString: main.ownerUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    await admin.end();
    const bench = await createForecourtContext({ ...context.config, databaseUrl: url.toString(), demo: false, role: 'api' });
    const results: Record<string, number> = {};
    try {
      const app = bench.context;
      if (parts.includes('render')) {
        context.say('rendering: the shipped inspection invitation, compiled once and merged per recipient, against MJML per recipient');
        const render = await measureRender();
        Object.assign(results, { renderPerSecond: Math.round(render.renderPerSecond), renderNaivePerSecond: Math.round(render.renderNaivePerSecond), renderSpeedup: round(render.speedup) });
      }
      if (parts.includes('dispatch')) {
        context.say('dispatch: outbox to a loopback SMTP server, against nodemailer alone');
        const dispatch = await measureDispatch(app, { progress: context.progress });
        Object.assign(results, { dispatchPerSecond: Math.round(dispatch.dispatchPerSecond), rawSmtpPerSecond: Math.round(dispatch.rawSmtpPerSecond), dispatchRatio: round(dispatch.ratio) });
      }
      if (parts.includes('letters')) {
        context.say('letters: one batched print file against one PDF per letter');
        const letters = await measureLetters();
        Object.assign(results, { lettersPerSecond: round(letters.lettersPerSecond), lettersSinglePerSecond: round(letters.lettersSinglePerSecond), lettersSpeedup: round(letters.speedup) });
      }
      if (parts.includes('planning')) {
        context.say(`planning: generating ${dealers} dealers with ${vehicles} vehicles, all due for inspection at once`);
        const plan = await measurePlanning(app.get(DataSource), app.get(TenantDb), app.get(RunsService), {
          dealers,
          vehicles,
          asOf: benchDay(),
          progress: context.progress,
          analyze: async () => {
            const owner = new Client({ connectionString: bench.database.ownerUrl });
            await owner.connect();
            await owner.query('VACUUM ANALYZE');
            // Before a real day the network's writes have long been checkpointed (every few minutes);
            // without this the WAL of the generated network, and of earlier bench runs, decides by
            // chance whether a checkpoint falls into the plan.
            await owner.query('CHECKPOINT');
            await owner.end();
          },
        });
        Object.assign(results, {
          vehicles: plan.vehicles,
          customers: plan.customers,
          generateSeconds: round(plan.generateSeconds),
          planSeconds: round(plan.planSeconds),
          plannedMessages: plan.messages,
          planPeakRssMb: plan.peakRssMb,
        });
      }
      if (parts.includes('preferences')) {
        context.say('preferences: GET /p/:token at 200 requests in flight over keep-alive connections, the load from a worker thread');
        // The HTTP app beside the bench context, on the same database, answering on loopback only.
        const http = await createForecourtApp({ ...context.config, databaseUrl: url.toString(), demo: false, role: 'api', port: 0 }, { logger: false, database: bench.database });
        try {
          await http.app.listen(0, '127.0.0.1');
          const prefs = await measurePreferences(http.app, { progress: context.progress });
          Object.assign(results, {
            preferenceRequests: prefs.requests,
            preferencePerSecond: Math.round(prefs.preferencePerSecond),
            preferenceP50Ms: round(prefs.preferenceP50Ms),
            preferenceP99Ms: round(prefs.preferenceP99Ms),
            preferenceBaselineP99Ms: round(prefs.baselineP99Ms),
            preferenceBaselinePerSecond: Math.round(prefs.baselinePerSecond),
          });
        } finally {
          await http.close();
        }
      }
    } finally {
      await bench.close();
      if (!args.options.keep) {
        const cleanup = new Client({ connectionString: main.ownerUrl });
        await cleanup.connect();
        await cleanup.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
        await cleanup.end();
      }
      await main.stop();
    }
    if (args.options.json) console.log(JSON.stringify(results, null, 2));
    else {
      context.say('');
      for (const [name, value] of Object.entries(results)) context.say(`${name.padEnd(28)} ${value}`);
      context.say('\ntargets: renderSpeedup ≥ 100, dispatchRatio ≥ 0.8, lettersSpeedup ≥ 5, planSeconds < 60 for 1,000,000 vehicles on 2 cores, preferenceP99Ms < 50 at 200 concurrent requests');
    }
  },
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
