import { DataSource } from 'typeorm';
import { isIsoDate } from '../common/dates';
import { RunsService } from '../campaigns/runs/runs.service';
import { CliCommand, CliUsageError, requireOption } from './command';

export const runCommand: CliCommand = {
  name: 'run',
  usage: 'run --as-of YYYY-MM-DD [--dealer KEY] [--dry-run] [--json]',
  description: "plan (and send) a day's messages; a past or future day is simulated",
  async run(args, context) {
    const asOf = requireOption(args, 'as-of');
    if (!isIsoDate(asOf)) throw new CliUsageError(`--as-of must be a date as YYYY-MM-DD, got "${asOf}"`);
    const app = await context.nest();
    const runs = app.get(RunsService);
    let dealers = await runs.dealerFacts();
    if (typeof args.options.dealer === 'string') {
      const key = args.options.dealer;
      const [row] = await app.get(DataSource).query('SELECT id FROM dealers WHERE key = $1 OR id::text = $1', [key]);
      if (!row) throw new CliUsageError(`no dealer "${key}"`);
      dealers = dealers.filter((d) => d.id === row.id);
    }
    const summary = await runs.start(dealers, {
      asOf,
      dryRun: !!args.options['dry-run'],
      wait: true,
      startedBy: 'command line',
      onProgress: (s) => context.progress(`dealers ${s.progress.dealersDone}/${s.progress.dealers}  occasions ${s.occasions}  messages ${s.messages.total}  cost €${(s.costCents / 100).toFixed(2)}`),
    });
    if (args.options.json) console.log(JSON.stringify(summary, null, 2));
    else {
      context.say(`\nrun ${summary.id} for ${summary.asOf}${summary.dryRun ? ' (dry run: nothing written or sent)' : ''}: ${summary.status}`);
      context.say(`  occasions ${summary.occasions}, messages ${summary.messages.total} ${JSON.stringify(summary.messages.byChannel)}, held ${summary.held}, cost €${(summary.costCents / 100).toFixed(2)}`);
      for (const [reason, n] of Object.entries(summary.skipped)) context.say(`  skipped ${n} × ${reason}`);
    }
    return summary.status === 'done' ? 0 : 1;
  },
};
