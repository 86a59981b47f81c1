import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { QueryFailedError } from 'typeorm';
import { FieldError } from '../../common/problem';
import { flattenValidationErrors } from '../../common/validation';
import { EXTERNAL_ID_PATTERN } from '../../common/validators';
import { TenantDb } from '../../database/tenant-db.service';
import { PendingRow, WriteResult } from '../record-writer';
import { csvRows } from './csv-rows';
import { ImportError, ImportResult, MAX_LISTED_ERRORS } from './import.dto';
import { decodeText, describePosition, Position, SourceItem } from './import-source';
import { csvColumns, fromCsv, IMPORT_SPECS, ImportType, ImportTypeSpec } from './import-types';
import { jsonRows } from './json-rows';

export type ImportFormat = 'csv' | 'json';

/** Rows written per transaction: large enough for few round trips, small enough that a failure loses little. */
export const CHUNK_ROWS = 1000;

export interface ImportProgress {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface ImportOptions {
  /** The file's charset, as a TextDecoder label; default UTF-8. */
  encoding?: string;
  /** Called every CHUNK_ROWS rows read, with the totals so far. */
  onProgress?: (progress: ImportProgress) => void;
}

/** A row that passed validation, waiting for its chunk to be written. `order` is its place in the file. */
interface ReadyRow {
  at: Position;
  order: number;
  key: string;
  data: object;
}

const EXTERNAL_ID_MESSAGE = 'must be 1 to 100 letters, digits or . _ : - /, starting with a letter or digit';

/** Deeper than any DTO goes (a customer's contacts are three levels). */
const MAX_DEPTH = 8;

/**
 * What must not reach the DTO: a NUL character, which PostgreSQL text cannot hold (a binary file
 * posted as CSV gets here), and nesting deeper than any DTO, through which class-transformer
 * would recurse until the stack runs out.
 */
function unusableValue(value: unknown, path: string, depth = 0): FieldError | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { field: path, message: 'contains a NUL character: is this a text file?' } : undefined;
  if (value && typeof value === 'object') {
    if (depth === MAX_DEPTH) return { field: path, message: `is nested more than ${MAX_DEPTH} levels deep` };
    for (const [key, inner] of Object.entries(value)) {
      const found = unusableValue(inner, path ? `${path}.${key}` : key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The same checks as the API's PUT and POST bodies (unknown fields refused by name), plus the key. */
function prepare(spec: ImportTypeSpec, record: Record<string, unknown>): { key: string; data: object } | { errors: FieldError[] } {
  const { [spec.key]: key, ...fields } = record;
  const errors: FieldError[] = [];
  if (key === undefined || key === '') errors.push({ field: spec.key, message: 'is required' });
  else if (typeof key !== 'string' || !EXTERNAL_ID_PATTERN.test(key)) errors.push({ field: spec.key, message: EXTERNAL_ID_MESSAGE });
  const unusable = unusableValue(fields, '');
  if (unusable) return { errors: [...errors, unusable] };
  const dto = plainToInstance(spec.dto, fields);
  // The DTOs' rules are all synchronous, and validateSync is much faster over 100,000 rows.
  errors.push(...flattenValidationErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })));
  errors.push(...(spec.rules?.(dto) ?? []));
  return errors.length ? { errors } : { key: key as string, data: spec.record(key as string, dto) };
}

/**
 * A row read from the file, checked; undefined when it failed (the tally has the reason). The
 * first row with a key wins, so a later one would silently overwrite it: it fails instead.
 */
function admit(
  spec: ImportTypeSpec,
  format: ImportFormat,
  item: SourceItem,
  order: number,
  tally: Tally,
  firstSeen: Map<string, Position>,
): ReadyRow | undefined {
  const row = 'errors' in item ? item : prepare(spec, format === 'csv' ? fromCsv(spec, item.record) : item.record);
  const first = 'key' in row && !spec.repeatableKey ? firstSeen.get(row.key) : undefined;
  if ('errors' in row) {
    tally.fail(item.at, order, row.errors);
  } else if (first) {
    tally.fail(item.at, order, [{ field: spec.key, message: `"${row.key}" is already in this file, on ${describePosition(first)}` }]);
  } else {
    if (!spec.repeatableKey) firstSeen.set(row.key, item.at);
    return { at: item.at, order, ...row };
  }
  return undefined;
}

/** A value PostgreSQL refuses although the DTO let it through (a date in year 0, say): the row's fault, not the import's. */
function isDataError(error: unknown): error is QueryFailedError {
  return error instanceof QueryFailedError && /^2[23]/.test(String((error as { code?: unknown }).code));
}

class Tally implements ImportProgress {
  rows = 0;
  created = 0;
  updated = 0;
  unchanged = 0;
  failed = 0;
  private readonly errors: (ImportError & { order: number })[] = [];

  fail(at: Position, order: number, errors: FieldError[]) {
    this.failed++;
    for (const { field, message } of errors) {
      if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ line: at.line, ...(at.element ? { element: at.element } : {}), field, message, order });
    }
  }

  progress(): ImportProgress {
    return { rows: this.rows, created: this.created, updated: this.updated, unchanged: this.unchanged, failed: this.failed };
  }

  result(): ImportResult {
    const errors = this.errors.sort((a, b) => a.order - b.order).map(({ order: _order, ...error }) => error);
    return { created: this.created, updated: this.updated, unchanged: this.unchanged, failed: this.failed, errors };
  }
}

/**
 * Streamed imports into a dealer's data room. The file is read row by row and written in chunks of
 * CHUNK_ROWS, each in its own tenant transaction through the writer the single-record routes use,
 * so the rules are the same and memory does not grow with the file. A chunk is written before
 * more of the file is read, so a slow database slows the sender instead of filling memory.
 */
@Injectable()
export class ImportsService {
  constructor(private readonly tenant: TenantDb) {}

  /** The caller has decided that this may happen: the HTTP route checks the principal, the command line acts as the system. */
  async import(
    dealerId: string,
    type: ImportType,
    format: ImportFormat,
    input: AsyncIterable<Buffer | string>,
    options: ImportOptions = {},
  ): Promise<ImportResult> {
    const spec = IMPORT_SPECS[type];
    const tally = new Tally();
    const firstSeen = new Map<string, Position>();
    let chunk: ReadyRow[] = [];
    const text = decodeText(input, options.encoding);
    const items = format === 'csv' ? csvRows(text, csvColumns(spec), `${type} imports`) : jsonRows(text);
    for await (const item of items) {
      const order = ++tally.rows;
      const ready = admit(spec, format, item, order, tally, firstSeen);
      if (ready) chunk.push(ready);
      if (chunk.length === CHUNK_ROWS) {
        await this.write(dealerId, spec, chunk, tally);
        chunk = [];
      }
      if (order % CHUNK_ROWS === 0) options.onProgress?.(tally.progress());
    }
    if (chunk.length) await this.write(dealerId, spec, chunk, tally);
    options.onProgress?.(tally.progress());
    return tally.result();
  }

  private async write(dealerId: string, spec: ImportTypeSpec, chunk: ReadyRow[], tally: Tally): Promise<void> {
    // The writers report rows by `line`; a row's place in the file is unique where a JSON line may not be.
    const rows: PendingRow<object>[] = chunk.map((r) => ({ line: r.order, externalId: r.key, data: r.data }));
    const byOrder = new Map(chunk.map((r) => [r.order, r]));
    let results: WriteResult[];
    try {
      results = [await this.tenant.run(dealerId, (m) => spec.write(m, dealerId, rows))];
    } catch (error) {
      if (!isDataError(error)) throw error;
      // One row spoilt the chunk's transaction: write the rows one by one to keep the others.
      results = [];
      for (const row of rows) {
        try {
          results.push(await this.tenant.run(dealerId, (m) => spec.write(m, dealerId, [row])));
        } catch (rowError) {
          if (!isDataError(rowError)) throw rowError;
          results.push({ written: [], errors: [{ line: row.line, field: 'row', message: `could not be stored: ${rowError.message}` }] });
        }
      }
    }
    // The same consent statement twice in one chunk is stored once: the second is unchanged.
    const created = new Set<string>();
    for (const { written, errors } of results) {
      for (const w of written) {
        if (w.outcome === 'created' && created.has(w.id)) tally.unchanged++;
        else tally[w.outcome]++;
        if (w.outcome === 'created') created.add(w.id);
      }
      for (const e of errors) tally.fail(byOrder.get(e.line)!.at, e.line, [{ field: e.field, message: e.message }]);
    }
  }
}
