import { addDays, defineTrigger, nextAnniversary } from '@forecourt/sdk';

export interface BirthdaySettings {
  /** 0: on the day; 7: a week ahead. */
  daysAhead?: number;
}

export default defineTrigger<BirthdaySettings>({
  trigger: 'birthday',
  prefilter: ({ settings }) => [{ field: 'customer.birthDate', fromDays: settings.daysAhead ?? 0, toDays: settings.daysAhead ?? 0, annual: true }],
  occasions(batch, { asOf, settings }) {
    const day = addDays(asOf, settings.daysAhead ?? 0);
    return batch
      .filter((c) => c.kind === 'person' && c.birthDate && nextAnniversary(c.birthDate, day) === day)
      .map((c) => ({ customerId: c.customerId, vehicleIds: [], dueDate: day, dedupeKey: `birthday:${c.customerId}:${day.slice(0, 4)}` }));
  },
});
