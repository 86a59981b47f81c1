import { Context, Liquid, Template } from 'liquidjs';

/**
 * LiquidJS's DoS limits, per parse and per render: a template (they are written by brand admins
 * and dealers) that loops or grows without end is stopped with an error instead of stalling a worker.
 */
export const LIQUID_LIMITS = {
  /** Characters parsed in one parse() call. */
  parseLimit: 2_000_000,
  /** Milliseconds one render() may take. */
  renderLimit: 1_000,
  /** Units of memory (string and array growth) one render() may allocate. */
  memoryLimit: 20_000_000,
};

export type LiquidKind = 'html' | 'text';

/** Intl formatters are costly to build; a run formats thousands of dates in a handful of locales. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withTime}`;
  let format = formatters.get(key);
  if (!format) {
    let tag = 'en';
    try {
      tag = Intl.getCanonicalLocales(locale || 'en')[0] ?? 'en';
    } catch {
      tag = 'en';
    }
    format = new Intl.DateTimeFormat(tag, withTime ? { dateStyle: 'long', timeStyle: 'short', timeZone } : { dateStyle: 'long', timeZone });
    formatters.set(key, format);
  }
  return format;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Formatted dates by locale, zone, with or without time, and value: recipients share due dates, and Intl's format costs a microsecond. */
const formatted = new Map<string, Map<string, [Map<string, string>, Map<string, string>]>>();
const FORMATTED_MAX = 20_000;
let formattedCount = 0;

/**
 * A date in the recipient's language: `2027-01-15` → `15 januari 2027` (nl), `15. Januar 2027` (de).
 * A calendar day stays that day; an instant is shown in the dealer's time zone (`timezone` in the data).
 */
function formatDate(value: unknown, locale: unknown, timeZone: unknown, withTime: boolean): string {
  if (value === null || value === undefined || value === '') return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  const tag = typeof locale === 'string' ? locale : 'en';
  const zone = typeof timeZone === 'string' ? timeZone : '';
  let byZone = formatted.get(tag);
  if (!byZone) formatted.set(tag, (byZone = new Map()));
  let pair = byZone.get(zone);
  if (!pair) byZone.set(zone, (pair = [new Map(), new Map()]));
  const byValue = pair[withTime ? 1 : 0];
  let out = byValue.get(text);
  if (out === undefined) {
    out = formatDateNow(text, tag, zone, withTime);
    if (++formattedCount > FORMATTED_MAX) {
      formatted.clear();
      formattedCount = 0;
    }
    byValue.set(text, out);
  }
  return out;
}

function formatDateNow(text: string, locale: string, timeZone: string, withTime: boolean): string {
  const dateOnly = DATE_ONLY.test(text);
  const date = new Date(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) return text;
  let zone = dateOnly ? 'UTC' : timeZone || 'UTC';
  try {
    return formatter(locale, zone, withTime && !dateOnly).format(date);
  } catch {
    zone = 'UTC';
    return formatter('en', zone, withTime && !dateOnly).format(date);
  }
}

/**
 * The engines templates run in. `html` escapes every merge field (`| raw` opts out, for HTML the
 * host trusts); `text` is for SMS, subjects and the text alternative, where escaping would show
 * `&amp;`. Both refuse unknown filters and every file include (`templates: {}`: nothing from
 * disk), and have the limits above.
 */
export function createLiquid(kind: LiquidKind): Liquid {
  const liquid = new Liquid({
    ...(kind === 'html' ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    templates: {},
    cache: false,
    ...LIQUID_LIMITS,
  });
  liquid.registerFilter('format_date', function (this: { context: Context }, value: unknown) {
    return formatDate(value, variable(this.context, 'locale'), variable(this.context, 'timezone'), false);
  });
  liquid.registerFilter('format_datetime', function (this: { context: Context }, value: unknown) {
    return formatDate(value, variable(this.context, 'locale'), variable(this.context, 'timezone'), true);
  });
  return liquid;
}

export type ParsedTemplate = Template[];

/**
 * A top-level variable as `{{ name }}` reads it (innermost scope first): Context.getSync without
 * its generators, which cost more than the formatting they feed.
 */
function variable(ctx: Context, name: string): unknown {
  const scope = (ctx as unknown as { findScope?: (key: string) => object }).findScope?.(name);
  return scope === undefined ? ctx.getSync([name]) : ctx.readProperty(scope, name);
}
