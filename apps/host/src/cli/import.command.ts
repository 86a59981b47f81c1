import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { DataSource } from 'typeorm';
import { ImportResult } from '../data-room/imports/import.dto';
import { assertEncoding } from '../data-room/imports/import-source';
import { IMPORT_TYPES, ImportType } from '../data-room/imports/import-types';
import { ImportFormat, ImportProgress, ImportsService } from '../data-room/imports/imports.service';
import { CliArgs, CliCommand, CliUsageError, requireOption } from './command';

const SHOWN_ERRORS = 20;

function fileOf(args: CliArgs): string {
  // parseArgs takes `--json FILE` for --json with the value FILE.
  const files = typeof args.options.json === 'string' ? [...args.positional, args.options.json] : args.positional;
  if (files.length !== 1) throw new CliUsageError('name exactly one file to import');
  const [file] = files;
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new CliUsageError(`no file "${file}"`);
  return file;
}

function formatOf(args: CliArgs, file: string): ImportFormat {
  const format = typeof args.options.format === 'string' ? args.options.format : extname(file).slice(1).toLowerCase();
  if (format !== 'csv' && format !== 'json') {
    throw new CliUsageError(`--format must be csv or json (taken from the file name when it ends in .csv or .json), got "${format}"`);
  }
  return format;
}

function encodingOf(args: CliArgs): string {
  const encoding = typeof args.options.encoding === 'string' ? args.options.encoding : 'utf-8';
  try {
    assertEncoding(encoding);
  } catch {
    throw new CliUsageError(`--encoding "${encoding}" is not a known charset`);
  }
  return encoding;
}

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'import --dealer KEY --type TYPE [--json] FILE',
  description:
    `stream a CSV or JSON file into a dealer's data room; TYPE: ${IMPORT_TYPES.join('|')}; ` +
    '--format csv|json when the file name does not tell, --encoding CHARSET when not UTF-8',
  async run(args, context) {
    const dealer = requireOption(args, 'dealer');
    const type = requireOption(args, 'type') as ImportType;
    if (!IMPORT_TYPES.includes(type)) throw new CliUsageError(`--type must be ${IMPORT_TYPES.join(', ')}, got "${type}"`);
    const file = fileOf(args);
    const format = formatOf(args, file);
    const encoding = encodingOf(args);

    const app = await context.nest();
    const [row] = await app.get(DataSource).query('SELECT id FROM dealers WHERE key = $1 OR id::text = $1', [dealer]);
    if (!row) throw new CliUsageError(`no dealer "${dealer}"`);

    const started = Date.now();
    const seconds = () => Math.max((Date.now() - started) / 1000, 0.001);
    const counts = (p: Omit<ImportProgress, 'rows'>) =>
      `created ${p.created}, updated ${p.updated}, unchanged ${p.unchanged}, failed ${p.failed}`;
    let shown = 0;
    const result: ImportResult = await app.get(ImportsService).import(row.id, type, format, createReadStream(file), {
      encoding,
      onProgress: (p) => {
        if (Date.now() - shown < 1000) return;
        shown = Date.now();
        context.progress(`rows ${p.rows}: ${counts(p)}  (${Math.round(p.rows / seconds())} rows/s)`);
      },
    });

    if (args.options.json) console.log(JSON.stringify(result, null, 2));
    const rows = result.created + result.updated + result.unchanged + result.failed;
    context.say(`\nimported ${file} into ${dealer} in ${seconds().toFixed(1)} s (${Math.round(rows / seconds())} rows/s): ${counts(result)}`);
    for (const e of result.errors.slice(0, SHOWN_ERRORS)) {
      context.say(`  line ${e.line}${e.element ? ` (element ${e.element})` : ''}, ${e.field}: ${e.message}`);
    }
    if (result.errors.length > SHOWN_ERRORS) context.say(`  and ${result.errors.length - SHOWN_ERRORS} more errors (--json lists them)`);
    return result.failed ? 1 : 0;
  },
};
