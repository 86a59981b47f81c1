export interface GroupCommitOptions<T> {
  /** While this says so of the items waiting, the flush waits for more (up to `holdMs`). */
  hold?: (items: T[]) => boolean;
  holdMs?: number;
}

/**
 * Gathers work that arrives while a flush is under way into the next flush: one statement and
 * one commit for many messages under load. The first flush waits for the end of the current
 * turn of the event loop only, so work started together (a group of jobs) goes together.
 */
export class GroupCommit<T, R = void> {
  private waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;
  private stopHolding?: () => void;

  /** `flush` answers one result per item, in order. */
  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<T> = {},
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.next());
      } else if (this.stopHolding && !this.holds()) {
        this.stopHolding();
      }
    });
  }

  private holds(): boolean {
    return Boolean(this.options.hold?.(this.waiting.map((w) => w.item)));
  }

  private held(): Promise<void> {
    if (!this.holds()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.holdMs ?? 10);
      const stopHolding = () => done();
      this.stopHolding = stopHolding;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.stopHolding = undefined;
    });
  }

  private async next(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length) {
      await this.held();
      const batch = this.waiting;
      this.waiting = [];
      try {
        const results = await this.flush(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = false;
  }
}
