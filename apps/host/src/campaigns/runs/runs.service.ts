import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../../auth/access.policy';
import { Principal } from '../../auth/principal';
import { fieldError } from '../../common/problem';
import { DispatchWorker } from '../../dispatch/dispatch.worker';
import { DaySummary, DealerDayPlanner, DealerFacts } from '../planning/dealer-day.planner';

export interface RunSummary {
  id: string;
  asOf: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  progress: { dealers: number; dealersDone: number };
  occasions: number;
  messages: { total: number; byChannel: Record<string, number> };
  costCents: number;
  held: number;
  skipped: Record<string, number>;
  error?: string;
}

export interface RunRequest {
  asOf: string;
  dealerIds?: string[];
  dryRun?: boolean;
  wait?: boolean;
  /** With wait: send what the run queued before answering (default); false only plans. */
  dispatch?: boolean;
  startedBy: string;
  onProgress?: (summary: RunSummary) => void;
}

/**
 * Dealers planned at once: while one dealer's plan computes in Node, the others' statements run
 * in PostgreSQL (measured on 2 cores: 3 at once fills them; more adds nothing).
 */
const DEALERS_AT_ONCE = 3;

function emptySummary(): DaySummary {
  return { occasions: 0, messages: { total: 0, byChannel: {} }, costCents: 0, held: 0, skipped: {} };
}

function add(total: DaySummary, day: DaySummary): DaySummary {
  const byChannel = { ...total.messages.byChannel };
  for (const [c, n] of Object.entries(day.messages.byChannel)) byChannel[c] = (byChannel[c] ?? 0) + n;
  const skipped = { ...total.skipped };
  for (const [r, n] of Object.entries(day.skipped)) skipped[r] = (skipped[r] ?? 0) + n;
  return {
    occasions: total.occasions + day.occasions,
    messages: { total: total.messages.total + day.messages.total, byChannel },
    costCents: total.costCents + day.costCents,
    held: total.held + day.held,
    skipped,
  };
}

/**
 * A run acts for one day (asOf) across dealers. Running a day twice sends nothing new: journeys
 * remember their steps and messages carry dedupe keys; two runs at once take turns per dealer.
 */
@Injectable()
export class RunsService {
  private readonly logger = new Logger('Runs');

  constructor(
    private readonly dataSource: DataSource,
    private readonly planner: DealerDayPlanner,
    private readonly access: AccessPolicy,
    private readonly dispatch: DispatchWorker,
  ) {}

  /** Which dealers a caller may run: a network admin any, a dealer's people and keys their own. */
  async dealersFor(principal: Principal | undefined, requested?: string[]): Promise<DealerFacts[]> {
    const all = await this.dealerFacts(requested);
    if (requested) {
      const missing = requested.filter((id) => !all.some((d) => d.id === id));
      if (missing.length) throw fieldError('dealerIds', `unknown dealer ${missing[0]}`);
    }
    if (!principal || principal.role === 'network-admin') return all;
    if (!principal.dealerId || !this.access.can(principal, 'update', 'DataRoom', { dealerId: principal.dealerId })) {
      throw new ForbiddenException(`a ${principal.role} may not start runs`);
    }
    if (requested?.some((id) => id !== principal.dealerId)) throw fieldError('dealerIds', 'a dealer may only run its own day');
    return all.filter((d) => d.id === principal.dealerId);
  }

  async dealerFacts(ids?: string[]): Promise<DealerFacts[]> {
    const rows = await this.dataSource.query(
      `SELECT d.id, d.timezone, d.locale, coalesce(array_agg(b.brand_id ORDER BY b.brand_id) FILTER (WHERE b.brand_id IS NOT NULL), '{}') AS brand_ids
         FROM dealers d LEFT JOIN dealer_brands b ON b.dealer_id = d.id
        ${ids ? 'WHERE d.id = ANY($1::uuid[])' : ''} GROUP BY d.id ORDER BY d.key`,
      ids ? [ids] : [],
    );
    return rows.map((r: { id: string; timezone: string; locale: string; brand_ids: string[] }) => ({ id: r.id, timezone: r.timezone, locale: r.locale, brandIds: r.brand_ids }));
  }

  async start(dealers: DealerFacts[], request: RunRequest): Promise<RunSummary> {
    const [run] = await this.dataSource.query(
      `INSERT INTO runs (as_of, dealer_ids, dry_run, status, started_by, progress) VALUES ($1, $2, $3, 'running', $4, $5) RETURNING id`,
      [request.asOf, dealers.map((d) => d.id), !!request.dryRun, request.startedBy, JSON.stringify({ dealers: dealers.length, dealersDone: 0 })],
    );
    const work = this.execute(run.id, dealers, request);
    if (request.wait) return work;
    work.catch(() => undefined);
    return this.get(run.id);
  }

  private async execute(runId: string, dealers: DealerFacts[], request: RunRequest): Promise<RunSummary> {
    let total = emptySummary();
    let done = 0;
    let next = 0;
    let failure: unknown;
    const planNext = async () => {
      while (next < dealers.length && failure === undefined) {
        const dealer = dealers[next++];
        const day = await this.planner.plan(runId, dealer, request.asOf, !!request.dryRun);
        total = add(total, day);
        done++;
        if (!request.dryRun) {
          await this.dataSource.query(
            `INSERT INTO run_days (dealer_id, as_of, run_id, finished, summary) VALUES ($1, $2, $3, true, $4)
             ON CONFLICT (dealer_id, as_of) DO UPDATE SET run_id = excluded.run_id, finished = true, summary = excluded.summary`,
            [dealer.id, request.asOf, runId, JSON.stringify(day)],
          );
        }
        const progress = { dealers: dealers.length, dealersDone: done };
        await this.dataSource.query(`UPDATE runs SET progress = $2, summary = $3 WHERE id = $1`, [runId, JSON.stringify(progress), JSON.stringify(total)]);
        request.onProgress?.(this.view({ id: runId, as_of: request.asOf, dry_run: !!request.dryRun, status: 'running', progress, summary: total }));
      }
    };
    try {
      const planners = Array.from({ length: Math.min(DEALERS_AT_ONCE, dealers.length) }, () =>
        planNext().catch((error: unknown) => {
          failure ??= error;
        }),
      );
      await Promise.all(planners);
      if (failure !== undefined) throw failure;
      if (request.wait && !request.dryRun && request.dispatch !== false) await this.dispatch.drain({ dealerIds: dealers.map((d) => d.id) });
      // Progress writes from the planners can land out of order: the last word is the full total.
      await this.dataSource.query(`UPDATE runs SET status = 'done', finished_at = now(), progress = $2, summary = $3 WHERE id = $1`, [
        runId,
        JSON.stringify({ dealers: dealers.length, dealersDone: done }),
        JSON.stringify(total),
      ]);
    } catch (error) {
      this.logger.error(`run ${runId} failed: ${(error as Error).stack}`);
      await this.dataSource.query(`UPDATE runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [runId, (error as Error).message]);
      if (request.wait) throw error;
    }
    return this.get(runId);
  }

  async get(runId: string, principal?: Principal): Promise<RunSummary> {
    const [row] = await this.dataSource.query(
      `SELECT id, as_of::text, dry_run, status, progress, summary, error, dealer_ids FROM runs WHERE id = $1`,
      [runId],
    );
    if (!row) throw new NotFoundException('run not found');
    if (principal && principal.role !== 'network-admin') {
      const own = principal.dealerId && row.dealer_ids.length === 1 && row.dealer_ids[0] === principal.dealerId;
      if (!own) throw new NotFoundException('run not found');
    }
    return this.view(row);
  }

  private view(row: { id: string; as_of: string; dry_run: boolean; status: RunSummary['status']; progress: RunSummary['progress']; summary: Partial<DaySummary>; error?: string | null }): RunSummary {
    const s = { ...emptySummary(), ...row.summary };
    return {
      id: row.id,
      asOf: row.as_of,
      dryRun: row.dry_run,
      status: row.status,
      progress: row.progress,
      occasions: s.occasions,
      messages: s.messages,
      costCents: s.costCents,
      held: s.held,
      skipped: s.skipped,
      ...(row.error ? { error: row.error } : {}),
    };
  }
}
