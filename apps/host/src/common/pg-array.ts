const NEEDS_ESCAPE = /[\\"]/;

/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) for a bulk parameter such as `unnest($1::uuid[])`.
 * Built with one join: pg's own conversion quotes each element through several calls and
 * concatenations, which costs seconds when a day's plan sends millions of elements.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = `"${NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
    else parts[i] = String(v);
  }
  return `{${parts.join(',')}}`;
}
