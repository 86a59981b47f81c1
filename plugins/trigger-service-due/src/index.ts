import { addDays, daysBetween, defineTrigger } from '@forecourt/sdk';

export interface ServiceDueSettings {
  leadTimeDays?: number;
  /** Kilometres between services, for vehicles without a recorded next service date. */
  serviceIntervalKm?: number;
}

/**
 * The next service date as recorded, else estimated: the vehicle's average daily distance since
 * registration tells when it reaches its next multiple of serviceIntervalKm.
 */
export function estimatedServiceDate(
  vehicle: { registrationDate?: string; mileageKm?: number },
  asOf: string,
  intervalKm: number,
): string | undefined {
  if (!vehicle.registrationDate || !vehicle.mileageKm) return undefined;
  const days = daysBetween(vehicle.registrationDate, asOf);
  if (days <= 30) return undefined;
  const perDay = vehicle.mileageKm / days;
  const nextKm = (Math.floor(vehicle.mileageKm / intervalKm) + 1) * intervalKm;
  return addDays(asOf, Math.ceil((nextKm - vehicle.mileageKm) / perDay));
}

export default defineTrigger<ServiceDueSettings>({
  trigger: 'service-due',
  occasions(batch, { asOf, settings }) {
    const lead = settings.leadTimeDays ?? 28;
    const until = addDays(asOf, lead);
    return batch.flatMap((customer) =>
      customer.vehicles.flatMap((v) => {
        const due = v.nextServiceDate ?? estimatedServiceDate(v, asOf, settings.serviceIntervalKm ?? 30_000);
        if (!due || due < asOf || due > until) return [];
        // An estimate moves a little every day; key it by month so it stays one occasion.
        const key = v.nextServiceDate ? due : `est-${due.slice(0, 7)}`;
        return [{ customerId: customer.customerId, vehicleIds: [v.vehicleId], dueDate: due, dedupeKey: `service-due:${v.vehicleId}:${key}`, data: { estimated: !v.nextServiceDate } }];
      }),
    );
  },
});
