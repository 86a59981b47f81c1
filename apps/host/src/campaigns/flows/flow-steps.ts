import type { Days, FlowStep, ServiceDefinition } from '@forecourt/sdk';
import { addDays, daysBetween } from '@forecourt/sdk';

/** Where a journey's steps stand; kept in journeys.steps, keyed by step id (and appointment for appointment steps). */
export interface StepMark {
  status: 'sent' | 'skipped' | 'failed' | 'bundled' | 'held';
  on: string;
  channel?: string;
  messageId?: string;
  reason?: string;
  /** Channels already tried for this step, for the fallback after a permanent failure. */
  tried?: string[];
}

export interface JourneyState {
  id: string;
  serviceKey: string;
  customerId: string;
  vehicleIds: string[];
  dueDate: string;
  startedOn: string;
  steps: Record<string, StepMark>;
}

export interface AppointmentFact {
  id: string;
  vehicleId: string;
  startsOn: string;
  /** The instant (ISO 8601), so messages can tell the time; the steps only look at the day. */
  startsAt?: string;
  status: 'booked' | 'done' | 'cancelled';
}

export interface DueAction {
  stepKey: string;
  step: Extract<FlowStep, { type: 'send' | 'before-appointment' }>;
  channels: string[];
  appointment?: AppointmentFact;
}

export interface StepDecision {
  actions: DueAction[];
  /** Steps that will not run, with why (the appointment was booked). */
  skipped: { stepKey: string; reason: string }[];
  /** Set when the journey is over. */
  end?: 'appointment-done' | 'completed';
}

export function resolveDays(days: Days, settings: Record<string, unknown>): number {
  if (typeof days === 'number') return days;
  const value = settings[days.setting];
  if (typeof value !== 'number') throw new Error(`setting ${days.setting} is not a number`);
  return value;
}

export function resolveChannels(channels: string[] | { setting: string }, settings: Record<string, unknown>): string[] {
  if (Array.isArray(channels)) return channels;
  const value = settings[channels.setting];
  return Array.isArray(value) ? (value as string[]) : [];
}

/**
 * What a journey must do on `asOf`. Send steps fall due `at` days after the journey started and
 * stop once an appointment is booked for its vehicles (the reminders have done their job);
 * appointment steps fall due `days` before a booked appointment; a done appointment ends the
 * journey. A step already marked is never due again, except a failed one, which retries on the
 * channels not tried yet (the fallback after a hard bounce).
 */
export function decideSteps(
  journey: JourneyState,
  definition: ServiceDefinition,
  settings: Record<string, unknown>,
  appointments: AppointmentFact[],
  asOf: string,
): StepDecision {
  const mine = appointments.filter((a) => journey.vehicleIds.includes(a.vehicleId) && a.startsOn >= journey.startedOn);
  const decision: StepDecision = { actions: [], skipped: [] };
  if (mine.some((a) => a.status === 'done' && a.startsOn <= asOf)) return { ...decision, end: 'appointment-done' };
  const booked = mine.filter((a) => a.status === 'booked');
  const age = daysBetween(journey.startedOn, asOf);
  let pendingAppointmentStep = false;
  for (const step of definition.flow) {
    if (step.type === 'send') {
      const mark = journey.steps[step.id];
      if (mark && mark.status !== 'failed') continue;
      if (resolveDays(step.at, settings) > age) continue;
      if (booked.length && !step.evenIfBooked) {
        decision.skipped.push({ stepKey: step.id, reason: 'appointment-booked' });
        continue;
      }
      const channels = resolveChannels(step.channels, settings).filter((c) => !mark?.tried?.includes(c));
      decision.actions.push({ stepKey: step.id, step, channels });
    } else {
      const days = resolveDays(step.days, settings);
      for (const appointment of booked) {
        if (appointment.startsOn <= asOf) continue;
        const stepKey = `${step.id}:${appointment.id}`;
        const mark = journey.steps[stepKey];
        pendingAppointmentStep = true;
        if (mark && mark.status !== 'failed') continue;
        if (addDays(appointment.startsOn, -days) > asOf) continue;
        const channels = resolveChannels(step.channels, settings).filter((c) => !mark?.tried?.includes(c));
        decision.actions.push({ stepKey, step, channels, appointment });
      }
    }
  }
  const lastDay = addDays(journey.startedOn, definition.journeyDays ?? 60);
  if (!decision.actions.length && !pendingAppointmentStep && asOf > lastDay) decision.end = 'completed';
  return decision;
}
