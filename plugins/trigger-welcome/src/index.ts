import { defineTrigger } from '@forecourt/sdk';

export interface WelcomeSettings {
  withinDays?: number;
}

export default defineTrigger<WelcomeSettings>({
  trigger: 'welcome',
  prefilter: ({ settings }) => [{ field: 'customer.createdOn', fromDays: -(settings.withinDays ?? 14), toDays: 0 }],
  occasions(batch, { asOf, settings }) {
    const from = new Date(Date.parse(`${asOf}T00:00:00Z`) - (settings.withinDays ?? 14) * 86_400_000).toISOString().slice(0, 10);
    return batch
      .filter((c) => c.createdOn >= from && c.createdOn <= asOf)
      .map((c) => ({ customerId: c.customerId, vehicleIds: c.vehicles.map((v) => v.vehicleId), dueDate: c.createdOn, dedupeKey: `welcome:${c.customerId}` }));
  },
});
