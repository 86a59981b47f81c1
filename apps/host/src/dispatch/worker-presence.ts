import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { Client } from 'pg';

/** Advisory lock class of dispatch workers; the object is the worker's key. */
export const WORKER_LOCK_CLASS = 74210;

/** The keys of the workers alive on this database: a dead process's connection, and so its lock, is gone. */
export const LIVE_WORKER_KEYS = `
  SELECT objid::bigint FROM pg_locks
   WHERE locktype = 'advisory' AND classid = ${WORKER_LOCK_CLASS} AND objsubid = 2 AND granted
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/**
 * A dispatch worker's presence on the database: a connection of its own holding an advisory
 * lock on the worker's key for as long as the process lives. Claims carry the key, so another
 * worker tells a dead claimer (no lock) from a live one at once, without waiting for a lease
 * to run out. The same connection listens for new messages.
 */
export class WorkerPresence {
  private client?: Client;
  private stopped = false;
  private readonly logger = new Logger('Dispatch');

  private constructor(
    private readonly url: string,
    readonly key: number,
    readonly id: string,
    private readonly onNotify: () => void,
  ) {}

  static async start(url: string, notifyChannel: string, onNotify: () => void): Promise<WorkerPresence> {
    for (let tries = 0; ; tries++) {
      const key = randomInt(1, 2 ** 31 - 1);
      const presence = new WorkerPresence(url, key, `${hostname()}:${process.pid}:${key}`, onNotify);
      if (await presence.connect(notifyChannel)) return presence;
      if (tries > 10) throw new Error('could not take a dispatch worker lock');
    }
  }

  private async connect(notifyChannel: string): Promise<boolean> {
    const client = new Client({ connectionString: this.url, application_name: 'forecourt-dispatch' });
    await client.connect();
    const [{ locked }] = (await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [WORKER_LOCK_CLASS, this.key])).rows;
    if (!locked) {
      await client.end();
      return false;
    }
    await client.query(`LISTEN ${notifyChannel}`);
    client.on('notification', () => this.onNotify());
    client.on('error', (error) => {
      if (this.stopped) return;
      this.logger.warn(`worker presence connection lost (${error.message}); reconnecting`);
      this.client = undefined;
      void this.reconnect(notifyChannel);
    });
    this.client = client;
    return true;
  }

  private async reconnect(notifyChannel: string): Promise<void> {
    for (let delay = 500; !this.stopped && !this.client; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        if (!this.stopped && !(await this.connect(notifyChannel))) throw new Error('lock held elsewhere');
      } catch (error) {
        this.logger.warn(`worker presence: ${(error as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
