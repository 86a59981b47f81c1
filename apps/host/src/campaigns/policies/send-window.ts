/** The hours of the day (in the dealer's time zone) messages may go out, by channel. */
export interface SendWindow {
  fromHour: number;
  toHour: number;
}

export const DEFAULT_WINDOWS: Record<string, SendWindow> = {
  email: { fromHour: 8, toHour: 20 },
  sms: { fromHour: 9, toHour: 19 },
};

// Building an Intl.DateTimeFormat costs far more than using one; a run asks thousands of times per zone.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
const calendars = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) cache.set(timeZone, (format = make()));
  return format;
}

/** The UTC instant of a wall-clock time on a day in a time zone. */
export function zonedInstant(day: string, hour: number, timeZone: string): Date {
  const guess = new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  const parts = Object.fromEntries(
    cached(wallClocks, timeZone, () => new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }))
      .formatToParts(guess)
      .map((p) => [p.type, p.value]),
  );
  const shown = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

/** The dealer's calendar day at an instant. */
export function localDay(instant: Date, timeZone: string): string {
  return cached(calendars, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(instant);
}

/**
 * When a message planned for `asOf` may leave, or undefined for "now". On the dealer's real
 * today, the wall clock decides: before the window opens the message waits for it, after it
 * closed it waits for tomorrow's (quiet hours). A run for another day simulates that day inside
 * its window, so it sends at once. Channels without a window (letters, call lists) never wait.
 */
export function holdUntil(asOf: string, channel: string, timeZone: string, now: Date, windows = DEFAULT_WINDOWS): Date | undefined {
  const window = windows[channel];
  if (!window || localDay(now, timeZone) !== asOf) return undefined;
  const opens = zonedInstant(asOf, window.fromHour, timeZone);
  if (now < opens) return opens;
  if (now < zonedInstant(asOf, window.toHour, timeZone)) return undefined;
  const tomorrow = new Date(Date.parse(`${asOf}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return zonedInstant(tomorrow, window.fromHour, timeZone);
}
