import { INestApplicationContext } from '@nestjs/common';
import { ForecourtConfig } from '../config/forecourt-config';

export interface CliArgs {
  /** Positional arguments after the command name. */
  positional: string[];
  /** --name value and --flag (true). */
  options: Record<string, string | true>;
}

export interface CliContext {
  config: ForecourtConfig;
  /** Starts Nest (without HTTP) on first use; commands that need no database never pay for it. */
  nest(): Promise<INestApplicationContext>;
  /** Progress and messages for people: stderr, so stdout stays clean for --json. */
  say(line: string): void;
  /** A progress line that rewrites itself on a terminal. */
  progress(line: string): void;
}

export interface CliCommand {
  name: string;
  usage: string;
  description: string;
  run(args: CliArgs, context: CliContext): Promise<number | void>;
}

export function parseArgs(argv: string[]): CliArgs {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) options[name] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) options[name] = argv[++i];
      else options[name] = true;
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

export class CliUsageError extends Error {}

export function requireOption(args: CliArgs, name: string): string {
  const value = args.options[name];
  if (typeof value !== 'string' || !value) throw new CliUsageError(`--${name} is required`);
  return value;
}
