import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type HealthCheck = () => Promise<unknown>;

/**
 * /health reports the database and whatever other parts registered a check (the dispatch queue
 * and the plugin host register theirs), so a new part reports without editing this file.
 */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly dataSource: DataSource) {}

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<Record<string, unknown>> {
    let database: { status: 'up' | 'down'; latencyMs?: number; error?: string };
    const started = Date.now();
    try {
      await this.dataSource.query('SELECT 1');
      database = { status: 'up', latencyMs: Date.now() - started };
    } catch (error) {
      database = { status: 'down', error: (error as Error).message };
    }
    const parts: Record<string, unknown> = {};
    for (const [name, check] of this.checks) {
      try {
        parts[name] = await check();
      } catch (error) {
        parts[name] = { status: 'down', error: (error as Error).message };
      }
    }
    return { status: database.status === 'up' ? 'ok' : 'down', database, ...parts };
  }
}
