import { addDays, defineTrigger } from '@forecourt/sdk';

export interface WarrantyExpirySettings {
  leadTimeDays?: number;
}

export default defineTrigger<WarrantyExpirySettings>({
  trigger: 'warranty-expiry',
  prefilter: ({ settings }) => [{ field: 'vehicle.warrantyEndDate', fromDays: 0, toDays: settings.leadTimeDays ?? 60 }],
  occasions(batch, { asOf, settings }) {
    const until = addDays(asOf, settings.leadTimeDays ?? 60);
    return batch.flatMap((customer) =>
      customer.vehicles
        .filter((v) => v.warrantyEndDate && v.warrantyEndDate >= asOf && v.warrantyEndDate <= until)
        .map((v) => ({
          customerId: customer.customerId,
          vehicleIds: [v.vehicleId],
          dueDate: v.warrantyEndDate!,
          dedupeKey: `warranty-expiry:${v.vehicleId}:${v.warrantyEndDate}`,
        })),
    );
  },
});
