import { SettingsSchema } from './manifest';

/** A number of days, fixed or read from the dealer's settings for the service. */
export type Days = number | { setting: string };

/**
 * One step of a flow. Flows are data (JSON), so the console can show and edit them.
 * A journey starts when the service's trigger finds an occasion; `at` counts days from that start.
 */
export type FlowStep =
  /**
   * Send over the first usable channel of the list (the customer can be reached and agreed to it);
   * the next one on a permanent failure. Skipped once an appointment is booked for the journey's
   * vehicles unless `evenIfBooked`.
   */
  | { id: string; type: 'send'; at: Days; channels: string[] | { setting: string }; template: string; evenIfBooked?: boolean }
  /** Send `days` before a booked appointment for the journey's vehicles (the SMS the day before). */
  | { id: string; type: 'before-appointment'; days: Days; channels: string[] | { setting: string }; template: string };

export interface ServiceDefinition {
  kind: 'service';
  /** The key dealers switch on (inspection-reminder, …). */
  service: string;
  /** The trigger plugin's name (inspection-due, …); it gets the service's settings. */
  trigger: string;
  purpose: 'service' | 'marketing';
  /** Price per message by channel, euro cents, charged to the dealer before any brand subsidy. */
  pricing: Record<string, number>;
  flow: FlowStep[];
  /** Dealer settings with their defaults; brands may bound them. */
  settings: SettingsSchema;
  /** A journey ends this many days after it started, or when an appointment for it is done. */
  journeyDays?: number;
}
