import { INestApplicationContext } from '@nestjs/common';
import { createForecourtContext } from './app.factory';
import { CliCommand, CliContext, CliUsageError, parseArgs } from './cli/command';
import { benchCommand } from './cli/bench.command';
import { importCommand } from './cli/import.command';
import { runCommand } from './cli/run.command';
import { seedCommand } from './cli/seed.command';
import { ConfigError, loadConfig } from './config/forecourt-config';

/** Every command of `npm run forecourt -- <command>`; a command is one file in cli/. */
const COMMANDS: CliCommand[] = [importCommand, seedCommand, runCommand, benchCommand];

function help(): string {
  return [
    'usage: npm run forecourt -- <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(58)} ${c.description}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(name && name !== 'help' && name !== '--help' ? `unknown command "${name}"\n\n${help()}` : help());
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  const config = loadConfig();
  let opened: { context: INestApplicationContext; close(): Promise<void> } | undefined;
  const tty = process.stderr.isTTY;
  const context: CliContext = {
    config,
    nest: async () => {
      opened ??= await createForecourtContext(config, { log: (line) => console.error(line) });
      return opened.context;
    },
    say: (line) => console.error(line),
    progress: (line) => (tty ? process.stderr.write(`\r\x1b[2K${line}`) : console.error(line)),
  };
  try {
    return (await command.run(parseArgs(rest), context)) ?? 0;
  } finally {
    if (tty) process.stderr.write('\n');
    await opened?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CliUsageError || error instanceof ConfigError) {
      console.error(`error: ${error.message}\n\n${help()}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
