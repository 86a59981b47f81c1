/**
 * Counts sends under way per channel client and makes the next one wait while a client's
 * `maxInFlight` are busy. Waiters are served in arrival order.
 */
export class SendSlots<Key = unknown> {
  private readonly gates = new Map<Key, { busy: number; waiting: (() => void)[] }>();

  /** Resolves once a slot of `key` is free and taken; `release` gives it back. No limit: at once. */
  async take(key: Key, limit: number | undefined): Promise<void> {
    if (!limit || limit <= 0) return;
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = { busy: 0, waiting: [] }));
    if (gate.busy < limit) {
      gate.busy++;
      return;
    }
    // The releasing send hands its slot straight over, so busy stays counted.
    await new Promise<void>((resolve) => gate!.waiting.push(resolve));
  }

  release(key: Key, limit: number | undefined): void {
    if (!limit || limit <= 0) return;
    const gate = this.gates.get(key);
    if (!gate) return;
    const next = gate.waiting.shift();
    if (next) return next();
    if (--gate.busy === 0) this.gates.delete(key);
  }

  /** Sends under way for `key`. */
  busy(key: Key): number {
    return this.gates.get(key)?.busy ?? 0;
  }
}
