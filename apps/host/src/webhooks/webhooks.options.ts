/** How the webhook worker paces itself; the defaults suit production, tests shorten the waits. */
export interface WebhookOptions {
  /** First retry delay; the schedule grows from it (see `webhookRetryDelayMs`). */
  retryBaseMs: number;
  /** Attempts before a delivery is `failed` (the first try and the retries of the schedule). */
  maxAttempts: number;
  /** A receiver that has not answered after this long counts as a failed attempt. */
  timeoutMs: number;
  /** How often an idle worker looks for due deliveries, besides being woken after a commit. */
  pollMs: number;
  /** A claim older than this is taken back (its worker died or stalled) and delivered again. */
  leaseMs: number;
  /** How often stale claims are looked for. */
  recoverEveryMs: number;
  /** Deliveries under way at once in one process. */
  concurrency: number;
}

/** Multiples of the base: 30 s, 2 min, 10 min, 1 h, 6 h, 12 h, 24 h, 24 h with the default base (about 2.8 days in all). */
export const RETRY_STEPS = [1, 4, 20, 120, 720, 1440, 2880, 2880];

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  retryBaseMs: 30_000,
  maxAttempts: RETRY_STEPS.length + 1,
  timeoutMs: 10_000,
  pollMs: 1_000,
  leaseMs: 60_000,
  recoverEveryMs: 10_000,
  concurrency: 10,
};

/** The wait after failed attempt `attempt` (1-based), with ±20% jitter so receivers coming back are not hit all at once. */
export function webhookRetryDelayMs(retryBaseMs: number, attempt: number, random = Math.random): number {
  const step = RETRY_STEPS[Math.min(attempt, RETRY_STEPS.length) - 1];
  return Math.round(retryBaseMs * step * (0.8 + 0.4 * random()));
}
