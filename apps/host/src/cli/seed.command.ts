import { DEMO_LOGINS, DEMO_PASSWORD } from '../seed/demo-network';
import { describeDemoSeed, SeedService } from '../seed/seed.service';
import { CliCommand, CliUsageError } from './command';

/** `seed`: the demo network into the configured database, only if it has no brands yet (whatever FORECOURT_DEMO says). */
export const seedCommand: CliCommand = {
  name: 'seed',
  usage: 'seed',
  description: 'seed the demo network "Demo Motor Group" into a database without brands',
  async run(args, context) {
    const extra = [...args.positional, ...Object.keys(args.options).map((name) => `--${name}`)];
    if (extra.length) throw new CliUsageError(`seed takes no arguments (got ${extra.join(' ')})`);
    const app = await context.nest();
    const summary = await app.get(SeedService).seedDemo({ progress: (line) => context.say(line) });
    if (!summary) {
      context.say('the database already has brands: nothing seeded (the demo network is only added to an empty one)');
      return 0;
    }
    context.say(describeDemoSeed(summary));
    context.say(`demo logins (password "${DEMO_PASSWORD}"): ${DEMO_LOGINS.map((l) => `${l.email} (${l.role})`).join(', ')}`);
    return 0;
  },
};
