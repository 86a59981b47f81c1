/** Characters that make a spreadsheet read a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a separator, a quote or a line break, quotes
 * doubled. Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay
 * numbers. null is an empty cell.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line with the field names, then one line per row, CRLF-terminated. */
export function toCsv(fields: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [fields.join(','), ...rows.map((row) => fields.map((f) => csvCell(row[f])).join(','))].map((line) => `${line}\r\n`).join('');
}
