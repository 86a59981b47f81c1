import { h } from '../dom';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; attributes as given. */
function s(tag: string, attributes: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

export interface Series {
  name: string;
  colour: string;
  /** One value per label; null where the figure is withheld. */
  values: (number | null)[];
}

export interface ChartOptions {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  kind: 'bars' | 'lines';
  format?: (value: number) => string;
  /** What the labels are (weeks by default, shown as month-day). */
  axis?: { title: string; column: string; short: (label: string) => string };
  /** What the table says for a null figure. */
  missing?: string;
}

const WEEKS = { title: 'Week starting (month-day)', column: 'Week', short: (label: string) => label.slice(5) };

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 44, left: 56 };

/** The axis top: four ticks of 1, 2 or 5 times a power of ten, whole numbers (counts and cents are). */
function niceMax(max: number): number {
  const rough = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(rough));
  return 4 * [1, 2, 5, 10].map((f) => f * power).find((v) => v >= rough)!;
}

/**
 * A chart drawn as inline SVG (grouped bars or lines per label, axis with ticks, a legend) with the
 * same figures in a table below it, which is what screen readers and keyboard users read.
 */
export function chart(options: ChartOptions): HTMLElement {
  const format = options.format ?? ((v: number) => String(v));
  const axis = options.axis ?? WEEKS;
  const { labels, series } = options;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((x) => x.values.filter((v): v is number => v !== null))));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(1, labels.length);
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${options.id}-title`, class: 'chart', 'data-chart': options.id });
  svg.append(s('title', { id: `${options.id}-title` }, `${options.title}; the figures are in the table below`));
  for (let i = 0; i <= 4; i++) {
    const value = (max / 4) * i;
    svg.append(
      s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: 'grid' }),
      s('text', { x: PAD.left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'tick' }, format(value)),
    );
  }
  const every = Math.ceil(labels.length / 12);
  labels.forEach((label, i) => {
    if (i % every === 0) svg.append(s('text', { x: PAD.left + slot * (i + 0.5), y: HEIGHT - PAD.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, axis.short(label)));
  });
  svg.append(s('text', { x: PAD.left + plotW / 2, y: HEIGHT - 8, 'text-anchor': 'middle', class: 'axis-label' }, axis.title));
  if (options.kind === 'bars') {
    const barW = (slot * 0.8) / Math.max(1, series.length);
    series.forEach((x, k) =>
      x.values.forEach((v, i) => {
        if (v === null) return;
        const left = PAD.left + slot * i + slot * 0.1 + barW * k;
        svg.append(s('rect', { x: left, y: y(v), width: Math.max(1, barW - 1), height: PAD.top + plotH - y(v), fill: x.colour }, s('title', {}, `${x.name}, ${labels[i]}: ${format(v)}`)));
      }),
    );
  } else {
    for (const x of series) {
      const points = x.values.map((v, i) => (v === null ? null : `${PAD.left + slot * (i + 0.5)},${y(v)}`)).filter(Boolean);
      svg.append(s('polyline', { points: points.join(' '), fill: 'none', stroke: x.colour, 'stroke-width': 2 }));
      x.values.forEach((v, i) => v !== null && svg.append(s('circle', { cx: PAD.left + slot * (i + 0.5), cy: y(v), r: 3, fill: x.colour }, s('title', {}, `${x.name}, ${labels[i]}: ${format(v)}`))));
    }
  }
  svg.append(s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH, class: 'axis' }));
  const legend = h('ul', { class: 'legend' }, ...series.map((x) => h('li', {}, h('span', { class: 'swatch', style: `background:${x.colour}` }), x.name)));
  const table = h(
    'table',
    { class: 'data' },
    h('caption', {}, options.title),
    h('tr', {}, h('th', { scope: 'col' }, axis.column), ...series.map((x) => h('th', { scope: 'col' }, x.name))),
    ...labels.map((label, i) => h('tr', {}, h('th', { scope: 'row' }, label), ...series.map((x) => h('td', {}, x.values[i] === null ? (options.missing ?? 'withheld') : format(x.values[i]!))))),
  );
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, options.title), svg, legend, table);
}
