import { holdUntil, localDay, zonedInstant } from './send-window';

describe('send windows in the dealer time zone', () => {
  it('finds wall-clock instants across daylight saving time', () => {
    expect(zonedInstant('2026-07-01', 8, 'Europe/Amsterdam').toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(zonedInstant('2026-12-01', 8, 'Europe/Amsterdam').toISOString()).toBe('2026-12-01T07:00:00.000Z');
    expect(localDay(new Date('2026-12-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-12-02');
  });

  it('holds an email planned before the window until it opens, and after it closes until tomorrow', () => {
    const tz = 'Europe/Amsterdam';
    expect(holdUntil('2026-12-01', 'email', tz, new Date('2026-12-01T05:00:00Z'))?.toISOString()).toBe('2026-12-01T07:00:00.000Z');
    expect(holdUntil('2026-12-01', 'email', tz, new Date('2026-12-01T10:00:00Z'))).toBeUndefined();
    expect(holdUntil('2026-12-01', 'email', tz, new Date('2026-12-01T20:30:00Z'))?.toISOString()).toBe('2026-12-02T07:00:00.000Z');
  });

  it('never holds letters or call lists, nor a simulated day', () => {
    expect(holdUntil('2026-12-01', 'letter', 'Europe/Berlin', new Date('2026-12-01T03:00:00Z'))).toBeUndefined();
    expect(holdUntil('2027-03-01', 'email', 'Europe/Berlin', new Date('2026-12-01T03:00:00Z'))).toBeUndefined();
  });
});
