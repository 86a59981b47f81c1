import { flash, h } from '../dom';
import { chart, type Series } from './charts';
import { consoleApi, euros, offerDownload, type ReportFigures, type ReportRow } from './console-api';

const FIGURES: { key: keyof ReportFigures; name: string; colour: string }[] = [
  { key: 'sent', name: 'Sent', colour: '#0b5fff' },
  { key: 'opened', name: 'Opened', colour: '#1a7f37' },
  { key: 'clicked', name: 'Clicked', colour: '#bf8700' },
  { key: 'appointments', name: 'Appointments', colour: '#8250df' },
];
const WITHHELD = 'fewer than 5 customers or 3 dealers';

/** The Mondays from the week of `from` to the week of `to` (the report's weeks, ISO). */
function weeksBetween(from: string, to: string, rows: ReportRow[]): string[] {
  const weeks = new Set(rows.map((r) => r.week));
  const day = new Date(`${from}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  for (let guard = 0; day.toISOString().slice(0, 10) <= to && guard < 200; guard++) {
    weeks.add(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() + 7);
  }
  return [...weeks].sort();
}

/** Sums a figure per week; a week with a withheld row has no figure (a partial sum would read as the whole). */
function byWeek(weeks: string[], rows: ReportRow[], key: keyof ReportFigures): (number | null)[] {
  return weeks.map((w) => {
    const ofWeek = rows.filter((r) => r.week === w);
    return ofWeek.some((r) => r.suppressed || r[key] === null) ? null : ofWeek.reduce((sum, r) => sum + (r[key] ?? 0), 0);
  });
}

const figure = (value: number | null, suppressed?: boolean, cents = false) => (suppressed || value === null ? WITHHELD : cents ? euros(value) : String(value));

function rangeForm(onLoad: (from?: string, to?: string) => void, onCsv: (from?: string, to?: string) => Promise<void>): { el: HTMLElement; status: HTMLElement } {
  const from = h('input', { type: 'date', name: 'from', id: 'report-from' });
  const to = h('input', { type: 'date', name: 'to', id: 'report-to' });
  const status = h('span', { class: 'status', role: 'status' });
  const csv = h('button', { type: 'button', id: 'report-csv' }, 'Download CSV');
  const form = h(
    'form',
    { class: 'filters', id: 'report-range' },
    h('label', { for: 'report-from' }, 'From'),
    from,
    h('label', { for: 'report-to' }, 'To'),
    to,
    h('button', { type: 'submit' }, 'Show'),
    csv,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onLoad(from.value || undefined, to.value || undefined);
  });
  csv.addEventListener('click', async () => {
    flash(status, 'Preparing the CSV…');
    try {
      await onCsv(from.value || undefined, to.value || undefined);
      flash(status, 'CSV downloaded.');
    } catch (error) {
      flash(status, (error as Error).message, 'error');
    }
  });
  return { el: form, status };
}

function rowsTable(rows: ReportRow[], brand: boolean): HTMLElement {
  const columns = ['Week', 'Service', 'Channel', ...(brand ? ['Dealers'] : []), 'Sent', 'Delivered', 'Opened', 'Clicked', 'Bounced', 'Failed', 'Appointments', 'Cost'];
  return h(
    'table',
    { class: 'data report-rows' },
    h('caption', {}, 'By week, service and channel'),
    h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c))),
    ...rows.map((r) =>
      h(
        'tr',
        r.suppressed ? { class: 'suppressed', 'data-suppressed': '' } : {},
        h('td', {}, r.week),
        h('td', {}, r.serviceKey),
        h('td', {}, r.channel),
        ...(brand ? [h('td', {}, r.suppressed ? WITHHELD : String(r.dealers ?? '—'))] : []),
        ...(['sent', 'delivered', 'opened', 'clicked', 'bounced', 'failed', 'appointments'] as const).map((k) => h('td', {}, figure(r[k], r.suppressed))),
        h('td', {}, figure(r.costCents, r.suppressed, true)),
      ),
    ),
  );
}

function totalsLine(totals: ReportFigures & { suppressed?: boolean }): HTMLElement {
  const withheld = totals.suppressed || totals.sent === null;
  return h(
    'p',
    { class: 'totals', 'data-totals': '' },
    withheld
      ? `Totals withheld: ${WITHHELD}.`
      : `Totals: ${totals.sent} sent, ${totals.delivered} delivered, ${totals.opened} opened, ${totals.clicked} clicked, ${totals.appointments} appointments, ${euros(totals.costCents)}.`,
  );
}

/** The weekly activity and cost charts plus the table, shared by the dealer and the brand report. */
function activity(id: string, weeks: string[], rows: ReportRow[]): HTMLElement[] {
  const series: Series[] = FIGURES.map((f) => ({ name: f.name, colour: f.colour, values: byWeek(weeks, rows, f.key) }));
  return [
    chart({ id: `${id}-activity`, title: 'Messages and appointments per week', labels: weeks, series, kind: 'bars', missing: WITHHELD }),
    chart({
      id: `${id}-cost`,
      title: 'Cost per week (euros)',
      labels: weeks,
      series: [{ name: 'Cost', colour: '#cf222e', values: byWeek(weeks, rows, 'costCents') }],
      kind: 'lines',
      format: (cents) => euros(Math.round(cents)),
      missing: WITHHELD,
    }),
  ];
}

/** The dealer's report: activity per week, cost per week, this month's cost against each service's budget, a table and CSV. */
export async function showDealerReport(main: HTMLElement, dealerId: string): Promise<void> {
  const body = h('div', { class: 'report', 'aria-live': 'polite' });
  const path = `/dealers/${encodeURIComponent(dealerId)}/reports`;
  const range = rangeForm(
    (from, to) => void load(from, to),
    async (from, to) => void offerDownload(await consoleApi.reportCsv(path, from, to), 'report.csv', 'report.csv'),
  );
  main.append(h('section', { class: 'page console-page' }, h('h1', {}, 'Reports'), range.el, body));
  const load = async (from?: string, to?: string) => {
    body.replaceChildren(h('p', {}, 'Loading…'));
    try {
      const report = await consoleApi.dealerReport(dealerId, from, to);
      const weeks = weeksBetween(report.from, report.to, report.rows);
      const budgets = report.budget;
      body.replaceChildren(
        h('p', { class: 'hint' }, `From ${report.from} to ${report.to}.`),
        totalsLine(report.totals),
        ...activity('dealer', weeks, report.rows),
        budgets.length
          ? chart({
              id: 'dealer-budget',
              title: `Cost against budget in ${budgets[0].month} (euros)`,
              labels: budgets.map((b) => b.serviceKey),
              series: [
                { name: 'Spent', colour: '#cf222e', values: budgets.map((b) => b.spentCents) },
                { name: 'Monthly budget', colour: '#57606a', values: budgets.map((b) => b.monthlyBudgetCents) },
              ],
              kind: 'bars',
              format: (cents) => euros(Math.round(cents)),
              axis: { title: 'Service (no bar: no budget set)', column: 'Service', short: (label) => label },
              missing: 'no budget',
            })
          : '',
        rowsTable(report.rows, false),
      );
    } catch (error) {
      body.replaceChildren(h('p', { class: 'status error', role: 'alert' }, `The report is not available: ${(error as Error).message}`));
    }
  };
  await load();
}

/** The brand's report over its dealers: aggregates only, rows about too few customers or dealers withheld. */
export async function showBrandReport(main: HTMLElement, brandId: string): Promise<void> {
  const body = h('div', { class: 'report', 'aria-live': 'polite' });
  const path = `/brands/${encodeURIComponent(brandId)}/reports`;
  const range = rangeForm(
    (from, to) => void load(from, to),
    async (from, to) => void offerDownload(await consoleApi.reportCsv(path, from, to), 'brand-report.csv', 'brand-report.csv'),
  );
  main.append(h('section', { class: 'page console-page' }, h('h1', {}, 'Brand report'), range.el, body));
  const load = async (from?: string, to?: string) => {
    body.replaceChildren(h('p', {}, 'Loading…'));
    try {
      const report = await consoleApi.brandReport(brandId, from, to);
      const weeks = weeksBetween(report.from, report.to, report.rows);
      const withheld = report.rows.filter((r) => r.suppressed).length;
      body.replaceChildren(
        h('p', { class: 'hint' }, `From ${report.from} to ${report.to}, over ${report.dealers} dealers.`),
        totalsLine(report.totals),
        withheld ? h('p', { class: 'hint' }, `${withheld} rows are withheld (${WITHHELD}); their weeks have no figure in the charts.`) : '',
        ...activity('brand', weeks, report.rows),
        rowsTable(report.rows, true),
      );
    } catch (error) {
      body.replaceChildren(h('p', { class: 'status error', role: 'alert' }, `The report is not available: ${(error as Error).message}`));
    }
  };
  await load();
}
