/** How a dispatch worker paces itself; the defaults suit production, tests shorten the waits. */
export interface DispatchOptions {
  /** Messages claimed per query. */
  claimBatch: number;
  /** Messages rendered, sent and recorded at once by one process. */
  concurrency: number;
  /** How often an idle worker looks for due work, besides being woken by new messages. */
  pollMs: number;
  /** A claim older than this is taken back from its worker: a message it was sending becomes `unknown`. */
  leaseMs: number;
  /** How often stale claims (dead or stuck workers) are looked for. */
  recoverEveryMs: number;
  /** First retry delay; doubles with each attempt, with ±50% jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Sends per message before a transient failure becomes `failed`. */
  maxAttempts: number;
  /** A send that has not answered after this long counts as `unknown`. */
  sendTimeoutMs: number;
  /** A batched channel's day is sent once no new message joined it for this long. */
  batchSettleMs: number;
  /** Messages per sendBatch call (one print file). */
  batchMax: number;
  /** Lookups of an unknown outcome before it is left `unknown`. */
  maxLookups: number;
  /** How long a dealer's channel client is reused before the registry is asked again (settings may have changed). */
  clientCacheMs: number;
}

export const DEFAULT_DISPATCH_OPTIONS: DispatchOptions = {
  claimBatch: 100,
  concurrency: 20,
  pollMs: 1000,
  leaseMs: 120_000,
  recoverEveryMs: 15_000,
  retryBaseMs: 30_000,
  retryMaxMs: 6 * 3600_000,
  maxAttempts: 8,
  sendTimeoutMs: 120_000,
  batchSettleMs: 5_000,
  batchMax: 5_000,
  maxLookups: 5,
  clientCacheMs: 10_000,
};

/** Exponential backoff with jitter, at least what the provider asked for. */
export function retryDelayMs(options: Pick<DispatchOptions, 'retryBaseMs' | 'retryMaxMs'>, attempt: number, retryAfterMs = 0, random = Math.random): number {
  const exponential = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(retryAfterMs, Math.round(exponential * (0.5 + random())));
}
