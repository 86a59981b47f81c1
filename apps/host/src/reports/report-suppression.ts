import { REPORT_POLICY } from './report.policy';

export const FIGURES = ['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'appointments', 'costCents'] as const;
export type Figure = (typeof FIGURES)[number];
export type Figures = Record<Figure, number>;
export type NullableFigures = Record<Figure, number | null>;

export interface RowKey {
  week: string;
  serviceKey: string | null;
  channel: string;
}

/** A row of the brand report before suppression: summed over dealers, with how many dealers and distinct customers it is about. */
export interface BrandCell extends RowKey, Figures {
  dealers: number;
  customers: number;
}

export interface BrandRow extends RowKey, NullableFigures {
  dealers: number | null;
  suppressed: boolean;
}

export const zeroFigures = (): Figures => ({ sent: 0, delivered: 0, opened: 0, clicked: 0, bounced: 0, failed: 0, appointments: 0, costCents: 0 });
const nullFigures = (): NullableFigures => ({ sent: null, delivered: null, opened: null, clicked: null, bounced: null, failed: null, appointments: null, costCents: null });

export const figuresOf = (row: Figures): Figures => Object.fromEntries(FIGURES.map((f) => [f, row[f]])) as Figures;

/**
 * Small groups out of the brand report. A row about fewer than `minCustomers` distinct customers
 * or fewer than `minDealers` dealers shows no figure at all (nor its dealer count). The totals are
 * the sum of the rows shown only, so no suppressed figure comes back by subtracting rows from the
 * totals; and the shown rows together are about at least as many customers and dealers as any one
 * of them, so the totals pass the same thresholds. With no row shown, the totals are suppressed.
 */
export function suppressSmallGroups(
  cells: BrandCell[],
  policy: { minCustomers: number; minDealers: number } = REPORT_POLICY,
): { rows: BrandRow[]; totals: NullableFigures & { suppressed: boolean } } {
  const totals = zeroFigures();
  let shown = 0;
  const rows = cells.map((cell): BrandRow => {
    const key: RowKey = { week: cell.week, serviceKey: cell.serviceKey, channel: cell.channel };
    if (cell.customers < policy.minCustomers || cell.dealers < policy.minDealers) {
      return { ...key, dealers: null, suppressed: true, ...nullFigures() };
    }
    shown++;
    for (const f of FIGURES) totals[f] += cell[f];
    return { ...key, dealers: cell.dealers, suppressed: false, ...figuresOf(cell) };
  });
  return { rows, totals: shown ? { suppressed: false, ...totals } : { suppressed: true, ...nullFigures() } };
}
