/** Formats a PostgreSQL `date` (read as a string, see pg type parser setup) or a Date as YYYY-MM-DD. */
export function toIsoDate(value: string | Date | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.slice(0, 10);
  return value.toISOString().slice(0, 10);
}

/** A real calendar day from the year 1900 on (PostgreSQL refuses year 0, and no car or customer is older). */
export function isIsoDate(value: string): boolean {
  if (!/^(19|2\d)\d{2}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}
