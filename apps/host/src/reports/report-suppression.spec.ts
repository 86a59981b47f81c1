import { BrandCell, suppressSmallGroups, zeroFigures } from './report-suppression';

const cell = (week: string, dealers: number, customers: number, sent: number): BrandCell => ({
  week,
  serviceKey: 'inspection-reminder',
  channel: 'email',
  dealers,
  customers,
  ...zeroFigures(),
  sent,
  delivered: sent - 1,
  costCents: sent * 10,
});

describe('suppressSmallGroups', () => {
  it('shows a row about at least 5 customers and 3 dealers, with its figures and dealer count', () => {
    const { rows, totals } = suppressSmallGroups([cell('2026-11-16', 3, 5, 7)]);
    expect(rows).toEqual([
      expect.objectContaining({ week: '2026-11-16', dealers: 3, suppressed: false, sent: 7, delivered: 6, costCents: 70, appointments: 0 }),
    ]);
    expect(totals).toEqual(expect.objectContaining({ suppressed: false, sent: 7, delivered: 6, costCents: 70 }));
  });

  it.each([
    ['4 customers', 3, 4],
    ['2 dealers', 2, 50],
    ['1 dealer', 1, 9],
  ])('suppresses every figure of a row about %s', (_, dealers, customers) => {
    const { rows } = suppressSmallGroups([cell('2026-11-16', dealers, customers, 40)]);
    expect(rows[0]).toEqual({
      week: '2026-11-16',
      serviceKey: 'inspection-reminder',
      channel: 'email',
      dealers: null,
      suppressed: true,
      sent: null,
      delivered: null,
      opened: null,
      clicked: null,
      bounced: null,
      failed: null,
      appointments: null,
      costCents: null,
    });
  });

  it('totals only the rows shown, so a suppressed row cannot be recovered by subtraction', () => {
    const shown = [cell('2026-11-02', 3, 6, 11), cell('2026-11-09', 4, 8, 13)];
    const small = cell('2026-11-16', 2, 3, 5);
    const { rows, totals } = suppressSmallGroups([...shown, small]);
    const visible = rows.filter((r) => !r.suppressed).reduce((sum, r) => sum + r.sent!, 0);
    expect(totals.sent).toBe(24);
    expect(totals.sent! - visible).toBe(0);
    expect(totals.costCents).toBe(240);
  });

  it('suppresses the totals when no row is shown', () => {
    const { totals } = suppressSmallGroups([cell('2026-11-02', 2, 9, 4), cell('2026-11-09', 5, 2, 3)]);
    expect(totals).toEqual(expect.objectContaining({ suppressed: true, sent: null, appointments: null, costCents: null }));
  });

  it('follows the thresholds it is given', () => {
    expect(suppressSmallGroups([cell('2026-11-02', 2, 2, 1)], { minCustomers: 2, minDealers: 2 }).rows[0].suppressed).toBe(false);
    expect(suppressSmallGroups([cell('2026-11-02', 2, 2, 1)], { minCustomers: 3, minDealers: 2 }).rows[0].suppressed).toBe(true);
  });
});
