/** Calendar-day arithmetic on YYYY-MM-DD strings, free of time zones (a day is a day). */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addMonths(day: string, months: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.toISOString().slice(0, 10);
}

/** The next occurrence of a yearly date (a birthday) on or after `from`; 29 February falls on 28 February in other years. */
export function nextAnniversary(date: string, from: string): string {
  const [, month, day] = date.split('-').map(Number);
  for (const year of [Number(from.slice(0, 4)), Number(from.slice(0, 4)) + 1]) {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const candidate = `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, lastDay)).padStart(2, '0')}`;
    if (candidate >= from) return candidate;
  }
  throw new Error(`no anniversary of ${date} after ${from}`);
}
