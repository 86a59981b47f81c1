import { PluginContext } from './context';

/** What a trigger sees of one customer: a snapshot the host streams in batches. */
export interface CustomerSnapshot {
  customerId: string;
  kind: 'person' | 'company';
  birthDate?: string;
  createdAt: string;
  vehicles: {
    vehicleId: string;
    brandId: string;
    inspectionDueDate?: string;
    nextServiceDate?: string;
    registrationDate?: string;
    mileageKm?: number;
    warrantyEndDate?: string;
  }[];
  appointments: { vehicleId: string; type: string; startsAt: string; status: 'booked' | 'done' | 'cancelled' }[];
  events: { type: string; at: string; properties: Record<string, unknown> }[];
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
  settings: Settings;
}

export interface TriggerDefinition<Settings = Record<string, unknown>> {
  kind: 'trigger';
  /** The trigger's name, used by services (inspection-due, birthday, …). */
  trigger: string;
  /** Finds the occasions in a batch of customers as of a day; pure, so runs can be replayed. */
  occasions(batch: CustomerSnapshot[], window: TriggerWindow<Settings>, context: PluginContext): Occasion[];
}
