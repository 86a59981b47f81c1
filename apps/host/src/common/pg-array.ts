const NEEDS_ESCAPE = /[\\"]/;

/**
 * A PostgreSQL array literal (`{"a","b",NULL}`) for a bulk parameter such as `unnest($1::uuid[])`.
 * Built with joins: pg's own conversion quotes each element through several calls and
 * concatenations, which costs seconds when a day's plan sends millions of elements.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  // Mostly strings without quotes or backslashes (ids, keys, days): one test over all of them.
  if (values.every((v) => typeof v === 'string') && !NEEDS_ESCAPE.test(values.join(''))) {
    return values.length ? `{"${values.join('","')}"}` : '{}';
  }
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = `"${NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
    else parts[i] = String(v);
  }
  return `{${parts.join(',')}}`;
}
