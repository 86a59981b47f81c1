import { SettingsSchema } from './manifest';

/** One step of a flow. Flows are data, so the console can show and edit them. */
export type FlowStep =
  /** Send over the first usable channel of the list; the next one on a permanent failure. */
  | { id: string; type: 'send'; channels: string[]; template: string; offsetDays?: number }
  /** Wait, then go on unless the stop condition holds (an appointment was booked). */
  | { id: string; type: 'wait'; days: number | { setting: string } }
  /** Send relative to a booked appointment (the SMS the day before). */
  | { id: string; type: 'before-appointment'; channels: string[]; template: string; days: number | { setting: string } }
  | { id: string; type: 'stop-if'; condition: 'appointment-booked' | 'appointment-done' };

export interface ServiceDefinition {
  kind: 'service';
  /** The key dealers switch on (inspection-reminder, …). */
  service: string;
  trigger: string;
  purpose: 'service' | 'marketing';
  /** Price per message by channel, euro cents, charged to the dealer (before brand subsidy). */
  pricing: Record<string, number>;
  flow: FlowStep[];
  /** Dealer settings with their defaults; brands may bound them. */
  settings: SettingsSchema;
}
