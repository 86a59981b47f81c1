import { addMonths, daysBetween, defineTrigger } from '@forecourt/sdk';

export interface WinBackSettings {
  monthsWithoutVisit?: number;
  /** Also fire when the customer is away longer than 1.5 × their own usual interval between visits. */
  useOwnInterval?: boolean;
}

/** A visit is an appointment that was done. One occasion per customer and last visit. */
export default defineTrigger<WinBackSettings>({
  trigger: 'win-back',
  occasions(batch, { asOf, settings }) {
    const months = settings.monthsWithoutVisit ?? 18;
    return batch.flatMap((c) => {
      const visits = [...new Set(c.appointments.filter((a) => a.status === 'done' && a.startsOn <= asOf).map((a) => a.startsOn))].sort();
      if (!visits.length) return [];
      const last = visits[visits.length - 1];
      let away = addMonths(last, months) <= asOf;
      if (!away && settings.useOwnInterval !== false && visits.length >= 3) {
        const gaps = visits.slice(1).map((v, i) => daysBetween(visits[i], v));
        const usual = gaps.reduce((a, b) => a + b, 0) / gaps.length;
        away = daysBetween(last, asOf) > usual * 1.5;
      }
      return away ? [{ customerId: c.customerId, vehicleIds: [], dueDate: asOf, dedupeKey: `win-back:${c.customerId}:${last}`, data: { lastVisit: last } }] : [];
    });
  },
});
