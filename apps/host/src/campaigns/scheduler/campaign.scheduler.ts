import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { FORECOURT_CONFIG, ForecourtConfig } from '../../config/forecourt-config';
import { localDay } from '../policies/send-window';
import { RunsService } from '../runs/runs.service';

/** The local hour at which a dealer's day is planned (messages then wait for their send window). */
export const DAILY_RUN_HOUR = 6;
const SCHEDULER_LOCK = 74202;

/**
 * Runs each dealer's day once it has begun in the dealer's time zone. Only worker processes
 * (and `all`) schedule; with several, an advisory lock lets one of them do it at a time.
 */
@Injectable()
export class CampaignScheduler {
  private readonly logger = new Logger('Scheduler');
  private busy = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: RunsService,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {}

  @Cron('0 */10 * * * *')
  async tick(now = new Date()): Promise<number> {
    if (this.config.role === 'api' || this.busy) return 0;
    this.busy = true;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [SCHEDULER_LOCK]);
      if (!locked) return 0;
      try {
        const dealers = await this.runs.dealerFacts();
        const done: { dealer_id: string; as_of: string }[] = await runner.query(
          `SELECT dealer_id, as_of::text FROM run_days WHERE finished AND as_of >= current_date - 1`,
        );
        const due = dealers.filter((d) => {
          const day = localDay(now, d.timezone);
          const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: d.timezone, hour: '2-digit', hourCycle: 'h23' }).format(now));
          return hour >= DAILY_RUN_HOUR && !done.some((r) => r.dealer_id === d.id && r.as_of === day);
        });
        const byDay = new Map<string, typeof due>();
        for (const d of due) byDay.set(localDay(now, d.timezone), [...(byDay.get(localDay(now, d.timezone)) ?? []), d]);
        for (const [asOf, dealers] of byDay) {
          const summary = await this.runs.start(dealers, { asOf, wait: false, startedBy: 'scheduler' });
          this.logger.log(`planned ${asOf} for ${dealers.length} dealer(s): run ${summary.id}`);
        }
        return due.length;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK]);
      }
    } finally {
      await runner.release();
      this.busy = false;
    }
  }
}
