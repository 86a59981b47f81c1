import { createLiquid } from '../rendering/liquid.engine';
import { MjmlCompileError, MjmlCompiler } from '../rendering/mjml.compiler';
import type { TemplateFormat } from '../rendering/template-source';
import { applyTheme, themeTokens } from '../rendering/theme';
import { ValidationProblem } from '../common/problem';
import { markedSlots, sanitiseMarkup, SLOT_KINDS, SLOT_NAME, SlotDefinition } from './markup';

export interface TemplateProblem {
  field: string;
  message: string;
  line?: number;
  tagName?: string;
}

export interface CheckedTemplate {
  body: string;
  subject: string | null;
  slots: SlotDefinition[];
  /** What sanitising took out. */
  removed: string[];
}

/** The theme a template is checked with: any brand's tokens give the same MJML structure. */
const CHECK_THEME = themeTokens({ name: 'Check', theme: { primaryColor: '#0b5fff', logoUrl: 'https://check.invalid/logo.png' } });
const htmlLiquid = createLiquid('html');
const textLiquid = createLiquid('text');

/**
 * A template as a brand admin saves it: sanitised, its slot definitions valid and marked in the
 * body, its MJML valid (strict, with line numbers for the studio) and its Liquid parseable.
 * Every problem is reported at once, each naming its field.
 */
export async function checkTemplate(format: TemplateFormat, input: { body: string; subject?: string | null; slots?: unknown[] }, compiler: MjmlCompiler): Promise<CheckedTemplate> {
  const problems: TemplateProblem[] = [];
  const { body, removed } = sanitiseMarkup(format, input.body);
  const subject = input.subject === undefined || input.subject === null || input.subject === '' ? null : input.subject;
  const slots = checkSlots(format, body, input.slots ?? [], problems);
  if (format === 'mjml') {
    try {
      await compiler.compile(applyTheme(format, body, CHECK_THEME, {}));
    } catch (error) {
      if (!(error instanceof MjmlCompileError)) throw error;
      for (const p of error.problems) problems.push({ field: 'body', message: p.message, ...(p.line ? { line: p.line } : {}), ...(p.tagName ? { tagName: p.tagName } : {}) });
    }
  }
  liquidProblem(format === 'text' ? textLiquid : htmlLiquid, body, 'body', problems);
  if (subject !== null) liquidProblem(textLiquid, subject, 'subject', problems);
  if (problems.length) throw new ValidationProblem(problems);
  return { body, subject, slots, removed };
}

function liquidProblem(engine: ReturnType<typeof createLiquid>, source: string, field: string, problems: TemplateProblem[]): void {
  try {
    engine.parse(source);
  } catch (error) {
    const line = /line:(\d+)/.exec((error as Error).message)?.[1];
    problems.push({ field, message: `Liquid: ${(error as Error).message}`, ...(line ? { line: Number(line) } : {}) });
  }
}

function checkSlots(format: TemplateFormat, body: string, input: unknown[], problems: TemplateProblem[]): SlotDefinition[] {
  const marked = new Set(markedSlots(format, body));
  const out: SlotDefinition[] = [];
  input.forEach((raw, i) => {
    const at = `slots[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return problems.push({ field: at, message: 'must be an object {name, kind, maxLength?, label?}' });
    const d = raw as Record<string, unknown>;
    if (typeof d.name !== 'string' || !SLOT_NAME.test(d.name)) return problems.push({ field: `${at}.name`, message: 'must be lower-case letters, digits and dashes, starting with a letter' });
    if (out.some((s) => s.name === d.name)) return problems.push({ field: `${at}.name`, message: `slot "${d.name}" is defined twice` });
    if (!marked.has(d.name)) {
      const how = format === 'mjml' ? `css-class="fc-slot-${d.name}"` : `data-slot="${d.name}"`;
      return problems.push({ field: `${at}.name`, message: `no component is marked as slot "${d.name}" (${how})` });
    }
    if (!SLOT_KINDS.includes(d.kind as never)) return problems.push({ field: `${at}.kind`, message: `must be one of ${SLOT_KINDS.join(', ')}` });
    if (d.maxLength !== undefined && (!Number.isInteger(d.maxLength) || (d.maxLength as number) < 1 || (d.maxLength as number) > 20_000)) {
      return problems.push({ field: `${at}.maxLength`, message: 'must be a whole number from 1 to 20000' });
    }
    if (d.label !== undefined && (typeof d.label !== 'string' || d.label.length > 200)) return problems.push({ field: `${at}.label`, message: 'must be text of at most 200 characters' });
    out.push({ name: d.name, kind: d.kind as SlotDefinition['kind'], ...(d.maxLength ? { maxLength: d.maxLength as number } : {}), ...(d.label ? { label: d.label as string } : {}) });
  });
  if (format === 'text' && input.length) problems.push({ field: 'slots', message: 'text templates (SMS, call list) have no slots' });
  return out;
}
