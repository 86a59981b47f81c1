import { CsvError, Info, parse } from 'csv-parse';
import { FieldError } from '../../common/problem';
import { FILE_FIELD, SourceItem } from './import-source';

/** A longer row is refused; csv-parse would otherwise keep everything after a stray quote in memory. */
export const MAX_ROW_CHARS = 1_000_000;

const DELIMITERS = [',', ';', '\t'];

/** Line breaks inside a quoted value: the row goes on on the next physical line. */
const lineBreaks = (cell: string) => (cell.includes('\n') || cell.includes('\r') ? cell.match(/\r\n|\r|\n/g)!.length : 0);

/** Spreadsheets in the Netherlands and Germany write `;` between values: the header line tells which is used. */
function delimiterOf(firstLine: string): string {
  const counts = DELIMITERS.map((d) => firstLine.split(d).length - 1);
  return DELIMITERS[counts.indexOf(Math.max(...counts))];
}

function describe(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'has a quote that is never closed: the file may be cut off';
    case 'CSV_MAX_RECORD_SIZE':
      return `has a row longer than ${MAX_ROW_CHARS} characters (a quote that is never closed?); the rest of the file was not read`;
    default:
      return `cannot be read as CSV (${error.message}); the rest of the file was not read`;
  }
}

function readHeader(cells: string[], columns: readonly string[], what: string): { names: string[]; errors: FieldError[] } {
  const canonical = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const errors: FieldError[] = [];
  const names = cells.map((cell) => {
    if (!cell) return '';
    const name = canonical.get(cell.toLowerCase());
    if (!name) errors.push({ field: cell, message: `is not a column of ${what}; the columns are ${columns.join(', ')}` });
    return name ?? '';
  });
  names.forEach((name, i) => {
    if (name && names.indexOf(name) !== i) errors.push({ field: name, message: 'appears twice in the header' });
  });
  return { names, errors };
}

/**
 * The rows of a CSV file as records keyed by column name (blank cells left out, values trimmed),
 * each with its physical line (the header is line 1). The first line names the columns, case
 * aside. A row with too few or too many values is reported and the next one read. The parser is
 * fed one chunk at a time and only when it has room, so the file is never held whole.
 *
 * Two things csv-parse gets wrong are done here instead: lines are counted from the records
 * (its own count drifts on a line break inside a quoted value written as CRLF), and the first
 * error it reports ends the parse, because its recovery can drop or merge the rows that follow.
 * The rows before the error are kept, the damage is reported, and the rest of the file is read
 * to its end unparsed. With quotes relaxed (a quote inside an unquoted value is kept as is) the
 * errors left are a quote never closed, which is what a file cut off mid-value looks like, and a
 * row too long to hold.
 */
export async function* csvRows(text: AsyncIterable<string>, columns: readonly string[], what: string): AsyncGenerator<SourceItem> {
  const source = text[Symbol.asyncIterator]();
  let head = '';
  let ended = false;
  while (!head.includes('\n') && head.length < MAX_ROW_CHARS) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    head += next.value;
  }

  const parser = parse({
    delimiter: delimiterOf(head.split('\n', 1)[0]),
    relax_quotes: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_ROW_CHARS,
    info: true,
  });
  let damage: CsvError | undefined;
  parser.on('skip', (error: CsvError) => {
    damage ??= error;
  });
  const room = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        parser.off('drain', done).off('close', done);
        resolve();
      };
      parser.on('drain', done).on('close', done);
    });
  // Reads the source to its end either way, so an HTTP sender is answered rather than cut off.
  const feeding = (async () => {
    try {
      if (!parser.write(head)) await room();
      while (!ended) {
        const next = await source.next();
        if (next.done) break;
        if (!damage && !parser.destroyed && !parser.write(next.value)) await room();
      }
      if (!parser.destroyed) parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  let header: string[] | undefined;
  let headerBroken = false;
  let next = 1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // Parsed after the damage, from a parser that lost its footing.
      if (damage && info.records > (damage.records as number)) continue;
      const line = next;
      next += 1 + record.reduce((n, cell) => n + lineBreaks(cell), 0);
      const cells = record.map((cell) => cell.trim());
      if (cells.every((cell) => cell === '')) continue;
      if (!header) {
        const read = readHeader(cells, columns, what);
        header = read.names;
        if (read.errors.length) {
          headerBroken = true;
          yield { at: { line }, errors: read.errors };
        }
        continue;
      }
      if (headerBroken) {
        yield { at: { line }, errors: [] };
        continue;
      }
      if (cells.length !== header.length) {
        const message = `has ${cells.length} values but the header has ${header.length} columns: ${
          cells.length < header.length ? 'the row is cut off or a delimiter is missing' : 'a value with a delimiter in it needs quotes'
        }`;
        yield { at: { line }, errors: [{ field: FILE_FIELD, message }] };
        continue;
      }
      const values: Record<string, unknown> = {};
      const errors: FieldError[] = [];
      cells.forEach((cell, i) => {
        if (cell === '') return;
        if (header![i]) values[header![i]] = cell;
        else errors.push({ field: FILE_FIELD, message: `has a value in column ${i + 1}, which has no name in the header` });
      });
      yield errors.length ? { at: { line }, errors } : { at: { line }, record: values };
    }
    // The damaged row begins where the last good one ended.
    if (damage) yield { at: { line: next }, errors: [{ field: FILE_FIELD, message: describe(damage) }] };
    else if (!header) yield { at: { line: 1 }, errors: [{ field: FILE_FIELD, message: 'is empty: expected a header line naming the columns' }] };
  } finally {
    parser.destroy();
    await feeding;
  }
}
