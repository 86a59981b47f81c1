/**
 * Per-channel, per-dealer rate limits (ChannelDefinition.rateLimitPerSecond), as a token bucket
 * holding a second's worth of sends (GCRA form). The buckets live in this process: N worker
 * processes let through up to N times the rate. A message that finds no token is not held in
 * memory: it gets the next free turn reserved and goes back to the queue until then.
 */
export class RateLimiter {
  /** Per bucket: the theoretical arrival time of the next send. */
  private readonly tat = new Map<string, number>();
  /** Turns reserved for messages put back in the queue, so they do not pay twice. */
  private readonly reserved = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** 0: send now. Otherwise the milliseconds until the turn reserved for this message. */
  take(bucket: string, perSecond: number | undefined, messageId: string): number {
    if (!perSecond || perSecond <= 0) return 0;
    const now = this.now();
    const turn = this.reserved.get(messageId);
    if (turn !== undefined) {
      if (turn - now > 20) return Math.ceil(turn - now);
      this.reserved.delete(messageId);
      return 0;
    }
    const interval = 1000 / perSecond;
    const tolerance = (Math.max(1, perSecond) - 1) * interval;
    const tat = Math.max(this.tat.get(bucket) ?? now, now);
    this.tat.set(bucket, tat + interval);
    const wait = tat - tolerance - now;
    if (wait <= 0) return 0;
    this.reserved.set(messageId, now + wait);
    if (this.reserved.size > 100_000) this.forgetPast(now);
    return Math.ceil(wait);
  }

  /** Reservations of messages another process took in the meantime. */
  private forgetPast(now: number): void {
    for (const [id, turn] of this.reserved) if (turn < now - 600_000) this.reserved.delete(id);
  }
}
