import { fieldError } from '../common/problem';
import { isIsoDate } from '../common/dates';

/**
 * Network policy for reports (README, Reports), one place like PLANNING_POLICY:
 * - conversionWindowDays: an appointment booked within this many days after a message went out
 *   to the customer counts as that message's conversion;
 * - minCustomers / minDealers: the brand report shows no figure about fewer distinct customers or
 *   fewer dealers than this (CONTRACT.md);
 * - maxRangeDays: the longest from..to a report answers (two years);
 * - defaultWeeks: without from, the report covers this many ISO weeks up to `to`.
 */
export const REPORT_POLICY = {
  conversionWindowDays: 30,
  minCustomers: 5,
  minDealers: 3,
  maxRangeDays: 731,
  defaultWeeks: 12,
} as const;

const DAY_MS = 86_400_000;

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The Monday of the ISO week a day falls in: the `week` of a report row. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** The Sunday that ends the ISO week of a day. */
export function sundayOf(day: string): string {
  return addDays(mondayOf(day), 6);
}

export interface ReportRange {
  from: string;
  to: string;
}

/**
 * `from`/`to` of a report query, checked (errors name the field). Without `to`, today; without
 * `from`, the Monday `defaultWeeks` ISO weeks back, so the first week is whole.
 */
export function reportRange(query: { from?: unknown; to?: unknown }, today: string): ReportRange {
  for (const field of ['from', 'to'] as const) {
    const value = query[field];
    if (value !== undefined && (typeof value !== 'string' || !isIsoDate(value))) throw fieldError(field, 'must be a date YYYY-MM-DD');
  }
  const to = (query.to as string | undefined) ?? today;
  const from = (query.from as string | undefined) ?? addDays(mondayOf(to), -7 * (REPORT_POLICY.defaultWeeks - 1));
  if (from > to) throw fieldError('from', `must not be after to (${to})`);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days > REPORT_POLICY.maxRangeDays) throw fieldError('to', `must be at most ${REPORT_POLICY.maxRangeDays} days from from (two years)`);
  return { from, to };
}

/**
 * The brand report covers whole ISO weeks only: with a range starting or ending mid-week, two
 * queries differing by a day would give one day's figures of a group by subtraction.
 */
export function wholeWeeks(range: ReportRange): ReportRange {
  return { from: mondayOf(range.from), to: sundayOf(range.to) };
}
