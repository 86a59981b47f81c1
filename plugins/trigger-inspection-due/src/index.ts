import { addDays, defineTrigger } from '@forecourt/sdk';

export interface InspectionDueSettings {
  leadTimeDays?: number;
}

/**
 * An occasion per vehicle and due date from leadTimeDays before the due date until the due date
 * itself, so a run that missed a day still finds it the next day; the dedupe key keeps it one.
 */
export default defineTrigger<InspectionDueSettings>({
  trigger: 'inspection-due',
  prefilter: ({ settings }) => [{ field: 'vehicle.inspectionDueDate', fromDays: 0, toDays: settings.leadTimeDays ?? 42 }],
  occasions(batch, { asOf, settings }) {
    const until = addDays(asOf, settings.leadTimeDays ?? 42);
    return batch.flatMap((customer) =>
      customer.vehicles
        .filter((v) => v.inspectionDueDate && v.inspectionDueDate >= asOf && v.inspectionDueDate <= until)
        .map((v) => ({
          customerId: customer.customerId,
          vehicleIds: [v.vehicleId],
          dueDate: v.inspectionDueDate!,
          dedupeKey: `inspection-due:${v.vehicleId}:${v.inspectionDueDate}`,
        })),
    );
  },
});
