import { addDays, defineTrigger } from '@forecourt/sdk';

export interface AppointmentSettings {
  when?: 'before' | 'after';
  daysBefore?: number;
  daysAfter?: number;
}

/**
 * Before: a booked appointment daysBefore ahead (the pre-visit note). After: an appointment done
 * daysAfter ago (the satisfaction mail). One occasion per appointment day and vehicle.
 */
export default defineTrigger<AppointmentSettings>({
  trigger: 'appointment',
  prefilter: ({ settings }) =>
    settings.when === 'after'
      ? [{ field: 'appointment.startsOn', fromDays: -(settings.daysAfter ?? 2), toDays: -(settings.daysAfter ?? 2) }]
      : [{ field: 'appointment.startsOn', fromDays: settings.daysBefore ?? 1, toDays: settings.daysBefore ?? 1 }],
  occasions(batch, { asOf, settings }) {
    const after = settings.when === 'after';
    const day = after ? addDays(asOf, -(settings.daysAfter ?? 2)) : addDays(asOf, settings.daysBefore ?? 1);
    const status = after ? 'done' : 'booked';
    return batch.flatMap((c) =>
      c.appointments
        .filter((a) => a.startsOn === day && a.status === status)
        .map((a) => ({
          customerId: c.customerId,
          vehicleIds: [a.vehicleId],
          dueDate: a.startsOn,
          dedupeKey: `appointment-${after ? 'after' : 'before'}:${a.vehicleId}:${a.startsOn}`,
          data: { appointmentType: a.type },
        })),
    );
  },
});
