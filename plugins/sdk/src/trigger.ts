import { PluginContext } from './context';

/** What a trigger sees of one customer: a snapshot the host streams in batches. Dates are YYYY-MM-DD. */
export interface CustomerSnapshot {
  customerId: string;
  kind: 'person' | 'company';
  birthDate?: string;
  /** The day the dealer first recorded the customer. */
  createdOn: string;
  vehicles: {
    vehicleId: string;
    brandId: string;
    inspectionDueDate?: string;
    nextServiceDate?: string;
    registrationDate?: string;
    mileageKm?: number;
    warrantyEndDate?: string;
  }[];
  /** `startsOn` is the appointment's day in the dealer's time zone. */
  appointments: { vehicleId: string; type: string; startsOn: string; status: 'booked' | 'done' | 'cancelled' }[];
  /** `on` is the event's day in the dealer's time zone. */
  events: { type: string; on: string; properties: Record<string, unknown> }[];
}

/** A reason to contact a customer, about some of their vehicles, due on a day. */
export interface Occasion {
  customerId: string;
  vehicleIds: string[];
  /** The day the occasion is about (the inspection due date, the birthday). */
  dueDate: string;
  /** Stable across runs: the same occasion found again is the same occasion. */
  dedupeKey: string;
  data?: Record<string, unknown>;
}

export interface TriggerWindow<Settings> {
  /** The day the run acts for, YYYY-MM-DD. */
  asOf: string;
  /** The settings of the service using the trigger (lead times and the like). */
  settings: Settings;
}

/**
 * Tells the host which customers can possibly have an occasion, so it loads only those:
 * customers with a value of `field` between asOf + fromDays and asOf + toDays (inclusive).
 * `annual` compares month and day only (birthdays). Without a prefilter the trigger sees
 * every customer.
 */
export interface Prefilter {
  field:
    | 'vehicle.inspectionDueDate'
    | 'vehicle.nextServiceDate'
    | 'vehicle.warrantyEndDate'
    | 'vehicle.registrationDate'
    | 'customer.birthDate'
    | 'customer.createdOn'
    | 'appointment.startsOn'
    | 'event.on';
  fromDays: number;
  toDays: number;
  annual?: boolean;
}

export interface TriggerDefinition<Settings = Record<string, unknown>> {
  kind: 'trigger';
  /** The trigger's name, used by services (inspection-due, birthday, …). */
  trigger: string;
  prefilter?(window: TriggerWindow<Settings>): Prefilter[];
  /** Finds the occasions in a batch of customers as of a day; pure, so runs can be replayed. */
  occasions(batch: CustomerSnapshot[], window: TriggerWindow<Settings>, context?: PluginContext): Occasion[];
}
