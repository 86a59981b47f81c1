import { addDays, daysBetween, defineTrigger } from '@forecourt/sdk';

export interface EventScoreSettings {
  /** Points per event type, e.g. { "website-visit": 1, "test-drive": 10, "quote-requested": 15 }. */
  points?: Record<string, number>;
  halfLifeDays?: number;
  threshold?: number;
}

const DEFAULT_POINTS = { 'website-visit': 1, 'brochure-download': 3, 'configurator-saved': 5, 'test-drive': 10, 'quote-requested': 15 };

/** The score on a day: each past event's points halve every halfLifeDays. */
export function scoreOn(events: { type: string; on: string }[], day: string, points: Record<string, number>, halfLifeDays: number): number {
  return events
    .filter((e) => e.on <= day)
    .reduce((sum, e) => sum + (points[e.type] ?? 0) * Math.pow(0.5, daysBetween(e.on, day) / halfLifeDays), 0);
}

/**
 * Event-driven marketing: fires on the day the score crosses the threshold (below yesterday, at or
 * above today). A customer who cools down and heats up again fires again.
 */
export default defineTrigger<EventScoreSettings>({
  trigger: 'event-score',
  prefilter: ({ settings }) => [{ field: 'event.on', fromDays: -Math.ceil((settings.halfLifeDays ?? 30) * 6), toDays: 0 }],
  occasions(batch, { asOf, settings }) {
    const points = settings.points ?? DEFAULT_POINTS;
    const halfLife = settings.halfLifeDays ?? 30;
    const threshold = settings.threshold ?? 20;
    return batch.flatMap((c) => {
      const today = scoreOn(c.events, asOf, points, halfLife);
      const yesterday = scoreOn(c.events, addDays(asOf, -1), points, halfLife);
      if (today < threshold || yesterday >= threshold) return [];
      return [{ customerId: c.customerId, vehicleIds: [], dueDate: asOf, dedupeKey: `event-score:${c.customerId}:${asOf}`, data: { score: Math.round(today * 10) / 10 } }];
    });
  },
});
