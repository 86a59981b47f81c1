import {
  CommentTag,
  Context,
  defaultOperators,
  Drop,
  ForTag,
  IfTag,
  InlineCommentTag,
  Liquid,
  Output,
  Tag,
  Template,
  Token,
  TokenKind,
  toValue,
  toValueSync,
  TypeGuards,
  UnlessTag,
  Value,
} from 'liquidjs';

/**
 * Per-recipient merges as plain closures instead of LiquidJS's generators.
 *
 * LiquidJS renders through nested generators (a tag, its expression, each token, each filter),
 * which costs about a microsecond and a half per node: most of a message's render time. A template
 * made only of what master templates use (text, `{{ }}` with filters, if / elsif / else, unless,
 * for over a collection, comments) is turned into closures once, at compile time, that do what
 * LiquidJS does, on LiquidJS's own objects: its Context (scopes, property reads with
 * `ownPropertyOnly`, the `size` / `first` / `last` rules, the memory and render limits), its
 * registered filter functions, its drops (`nil`, `empty`, `blank`), its truthiness.
 *
 * Anything else (assign, capture, case, ranges, loop modifiers, break, …) leaves the whole
 * template to LiquidJS, and so does any error while merging: LiquidJS renders it again, so a
 * broken template fails with LiquidJS's own message. The merge specs render every shipped template
 * both ways and compare.
 */

/** LiquidJS's SimpleEmitter has the same shape. */
export interface MergeOutput {
  buffer: string;
}

export type MergeStep = (ctx: Context, out: MergeOutput) => void;
type Evaluate = (ctx: Context) => unknown;

/** Compiles a block of a custom tag's children; handed to the compilers of custom block tags. */
export type CompileBlock = (templates: Template[]) => MergeStep;
/** Closures for a custom tag; throw UnsupportedLiquid for a form they do not handle. */
export type CustomTagCompiler = (tag: Tag, block: CompileBlock) => MergeStep;

export class UnsupportedLiquid extends Error {}

/** The fields of LiquidJS objects read here that its typings keep private (checked when read). */
interface FilterInternals {
  name: string;
  handler: (...args: unknown[]) => unknown;
  args: unknown[];
  token: unknown;
  liquid: Liquid;
}
interface ContextInternals {
  findScope(key: unknown): unknown;
}

export interface MergeProgram {
  /** True when the closures merge; false when LiquidJS renders every merge (a construct they do not know). */
  readonly compiled: boolean;
  /** Why it is not compiled. */
  readonly reason?: string;
  /** The merged text. `registers` are put in the context's registers (state a custom tag reads, out of the template's reach). */
  render(data: object, registers?: Record<string, unknown>): string;
}

/** The parsed template with its closures, or LiquidJS alone when it uses something they do not cover. */
export function compileLiquid(liquid: Liquid, templates: Template[], custom: Record<string, CustomTagCompiler> = {}): MergeProgram {
  let run: MergeStep | undefined;
  let reason: string | undefined;
  try {
    supportedOptions(liquid);
    run = new Compiler(custom).limited(templates);
  } catch (error) {
    if (!(error instanceof UnsupportedLiquid)) throw error;
    reason = error.message;
  }
  const context = (data: object, registers?: Record<string, unknown>) => {
    const ctx = new Context(data, liquid.options, { sync: true }, { liquid });
    for (const [key, value] of Object.entries(registers ?? {})) ctx.setRegister(key, value);
    return ctx;
  };
  const slow = (data: object, registers?: Record<string, unknown>) => liquid.renderSync(templates, context(data, registers)) as string;
  if (!run) return { compiled: false, reason, render: slow };
  const fast = run;
  return {
    compiled: true,
    render(data, registers) {
      const out: MergeOutput = { buffer: '' };
      try {
        fast(context(data, registers), out);
        return out.buffer;
      } catch {
        // LiquidJS merges it again: it fails with its own message and the line at fault (or, should
        // the closures ever differ from it, gives its answer).
        return slow(data, registers);
      }
    },
  };
}

/** Visits every template and tag in the tree (children of block tags included), e.g. to count a tag. */
export function walkTemplates(templates: Template[], visit: (template: Template) => void): void {
  for (const template of templates) {
    visit(template);
    const children = (template as { children?: () => unknown }).children;
    if (typeof children === 'function') walkTemplates(toValueSync(children.call(template)) as Template[], visit);
  }
}

function supportedOptions(liquid: Liquid): void {
  const o = liquid.options;
  if (o.strictVariables || o.lenientIf || o.keepOutputType || o.catchAllErrors || o.groupedExpressions) throw new UnsupportedLiquid('engine options the compiler does not cover');
  if (o.operators !== defaultOperators) throw new UnsupportedLiquid('custom operators');
}

class Compiler {
  /**
   * Names the enclosing loops put in scope (their variables and `forloop`). Nothing else writes a
   * scope in the compiled subset (assign, capture, increment and the like go to LiquidJS), so any
   * other name is read from the merge data (else the globals) without looking through the scopes.
   */
  private readonly loopNames: string[] = [];

  constructor(private readonly custom: Record<string, CustomTagCompiler>) {}

  block = (templates: Template[]): MergeStep => {
    const steps = templates.map((t) => this.node(t));
    if (steps.length === 1) return steps[0];
    return (ctx, out) => {
      for (let i = 0; i < steps.length; i++) steps[i](ctx, out);
    };
  };

  /**
   * A block that checks the render limit first, as LiquidJS does before each template. Only the
   * template itself and loop bodies need the check: code without loops runs once, so checking at
   * each iteration bounds the time between checks just as well.
   */
  limited(templates: Template[]): MergeStep {
    const run = this.block(templates);
    return (ctx, out) => {
      ctx.renderLimit.check(performance.now());
      run(ctx, out);
    };
  }

  private node(template: Template): MergeStep {
    if (template instanceof Output) return this.output(template);
    const token = (template as { token?: Token }).token;
    const str = (template as { str?: unknown }).str;
    if (token?.kind === TokenKind.HTML && typeof str === 'string') {
      return (_ctx, out) => {
        out.buffer += str;
      };
    }
    if (template instanceof IfTag) return this.ifTag(template);
    if (template instanceof UnlessTag) return this.unlessTag(template);
    if (template instanceof ForTag) return this.forTag(template);
    if (template instanceof CommentTag || template instanceof InlineCommentTag) return () => undefined;
    if (template instanceof Tag && Object.prototype.hasOwnProperty.call(this.custom, template.name)) return this.custom[template.name](template, this.block);
    throw new UnsupportedLiquid(template instanceof Tag ? `the ${template.name} tag` : 'an unknown template node');
  }

  private output(output: Output): MergeStep {
    const value = this.value(output.value);
    return (ctx, out) => {
      const v = value(ctx);
      out.buffer += typeof v === 'string' ? v : stringify(toValue(v));
    };
  }

  private ifTag(tag: IfTag): MergeStep {
    const branches = tag.branches.map((b) => ({ test: this.value(b.value), run: this.block(b.templates) }));
    const otherwise = this.block(tag.elseTemplates ?? []);
    return (ctx, out) => {
      for (let i = 0; i < branches.length; i++) {
        if (truthy(branches[i].test(ctx), ctx)) return branches[i].run(ctx, out);
      }
      otherwise(ctx, out);
    };
  }

  private unlessTag(tag: UnlessTag): MergeStep {
    const branches = tag.branches.map((b) => ({ value: this.value(b.value), test: b.test, run: this.block(b.templates) }));
    const otherwise = this.block(tag.elseTemplates);
    return (ctx, out) => {
      for (let i = 0; i < branches.length; i++) {
        if (branches[i].test(toValue(branches[i].value(ctx)), ctx)) return branches[i].run(ctx, out);
      }
      otherwise(ctx, out);
    };
  }

  private forTag(tag: ForTag): MergeStep {
    if (Object.keys(tag.hash.hash).length) throw new UnsupportedLiquid('for with offset, limit or reversed');
    const collection = this.token(tag.collection);
    this.loopNames.push(tag.variable, 'forloop');
    const body = this.limited(tag.templates);
    this.loopNames.length -= 2;
    const otherwise = this.block(tag.elseTemplates);
    const variable = tag.variable;
    const text = tag.collection.getText();
    const continueKey = `continue-${variable}-${text}`;
    return (ctx, out) => {
      const items = toEnumerable(collection(ctx));
      if (!items.length) return otherwise(ctx, out);
      ctx.setRegister(continueKey, items.length);
      const forloop = new ForloopDrop(items.length, text, variable);
      const scope: Record<string, unknown> = Object.create(null);
      scope.forloop = forloop;
      ctx.push(scope);
      for (const item of items) {
        scope[variable] = item;
        ctx.continueCalled = ctx.breakCalled = false;
        body(ctx, out);
        forloop.next();
      }
      ctx.continueCalled = ctx.breakCalled = false;
      ctx.pop();
    };
  }

  private value(value: Value): Evaluate {
    const initial = this.expression(value.initial.postfix);
    const filters = value.filters.map((f) => this.filter(f as unknown as FilterInternals));
    if (!filters.length) return initial;
    return (ctx) => {
      let v = initial(ctx);
      for (let i = 0; i < filters.length; i++) v = filters[i](v, ctx);
      return v;
    };
  }

  private filter(filter: FilterInternals): (value: unknown, ctx: Context) => unknown {
    const { handler, token, liquid } = filter;
    if (typeof handler !== 'function' || !Array.isArray(filter.args)) throw new UnsupportedLiquid(`the ${filter.name} filter`);
    // The escape every output of the HTML engine ends with: LiquidJS's own, minus its replace on the many values with nothing to escape.
    if (handler === liquid.filters.escape && !filter.args.length) return escape;
    const args = filter.args.map((arg) => {
      if (Array.isArray(arg)) {
        const [name, valueToken] = arg as [string, Token | undefined];
        const value = this.token(valueToken);
        return (ctx: Context) => [name, value(ctx)];
      }
      return this.token(arg as Token);
    });
    if (!args.length) return (value, ctx) => settle(handler.call({ context: ctx, token, liquid }, value));
    return (value, ctx) => {
      const argv: unknown[] = [value];
      for (let i = 0; i < args.length; i++) argv.push(args[i](ctx));
      return settle(handler.apply({ context: ctx, token, liquid }, argv));
    };
  }

  /** An expression in LiquidJS's postfix order, as a tree; both sides of `and` / `or` are evaluated, as LiquidJS does. */
  private expression(postfix: Token[]): Evaluate {
    const stack: Evaluate[] = [];
    const pop = (): Evaluate => stack.pop() ?? (() => undefined);
    for (const token of postfix) {
      if (!TypeGuards.isOperatorToken(token)) {
        stack.push(this.token(token));
        continue;
      }
      const op = OPERATORS[token.operator];
      if (!op) throw new UnsupportedLiquid(`the ${token.operator} operator`);
      const right = pop();
      if (token.operator === 'not') {
        stack.push((ctx) => op(right(ctx), undefined, ctx));
      } else {
        const left = pop();
        stack.push((ctx) => {
          const l = left(ctx);
          return op(l, right(ctx), ctx);
        });
      }
    }
    return stack[0] ?? (() => undefined);
  }

  /** LiquidJS's evalToken: a literal, a quoted string, a number, or a property access; ranges and grouped expressions are not compiled. */
  private token(token: Token | undefined): Evaluate {
    if (!token) return () => undefined;
    if ('content' in token) {
      const content = (token as { content: unknown }).content;
      return () => content;
    }
    if (TypeGuards.isPropertyAccessToken(token)) return this.propertyAccess(token);
    throw new UnsupportedLiquid(TypeGuards.isRangeToken(token) ? 'a range' : 'an expression form');
  }

  private propertyAccess(token: { variable?: Token; props: Token[] }): Evaluate {
    const keys = token.props.map((prop): Evaluate => {
      if ('content' in prop) {
        const key = toValue((prop as { content: unknown }).content);
        return () => key;
      }
      if (TypeGuards.isPropertyAccessToken(prop)) {
        const inner = this.propertyAccess(prop);
        return (ctx) => toValue(inner(ctx));
      }
      throw new UnsupportedLiquid('a property key form');
    });
    const read = (ctx: Context, from: unknown, start: number): unknown => {
      let scope = from;
      for (let i = start; i < keys.length; i++) scope = readProperty(ctx, scope, keys[i](ctx));
      return scope;
    };
    if (token.variable) {
      const head = this.token(token.variable);
      return (ctx) => read(ctx, head(ctx), 0);
    }
    if (!keys.length) throw new UnsupportedLiquid('an empty property access');
    const names = token.props.map((prop) => ('content' in prop ? toValue((prop as { content: unknown }).content) : undefined));
    const first = names[0];
    if (typeof first === 'string' && !this.loopNames.includes(first) && names.every((name) => name !== undefined)) {
      return (ctx) => {
        let scope = readProperty(ctx, first in ctx.environments ? ctx.environments : ctx.globals, first);
        for (let i = 1; i < names.length; i++) scope = readProperty(ctx, scope, names[i]);
        return scope;
      };
    }
    return (ctx) => {
      const first = keys[0](ctx);
      const scope = (ctx as unknown as ContextInternals).findScope(first);
      return read(ctx, readProperty(ctx, scope, first), 1);
    };
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Context.readProperty, with a short way for what merge data mostly is (a plain object read by a
 * name other than size / first / last, which read differently). A drop's method or a value may be
 * a generator: LiquidJS runs it to its value, so this does too.
 */
function readProperty(ctx: Context, obj: unknown, key: unknown): unknown {
  if (typeof key === 'string' && obj !== null && typeof obj === 'object' && key !== 'size' && key !== 'first' && key !== 'last' && ctx.ownPropertyOnly) {
    const proto = Object.getPrototypeOf(obj);
    if ((proto === Object.prototype || proto === null) && typeof (obj as { toLiquid?: unknown }).toLiquid !== 'function') {
      if (!hasOwn.call(obj, key)) return undefined;
      const value = (obj as Record<string, unknown>)[key];
      if (typeof value !== 'function') return isIterator(value) ? settle(value) : value;
    }
  }
  return settle(ctx.readProperty(obj as object, key as string));
}

/** LiquidJS's isTruthy: only false, null and undefined are false (unless the engine has jsTruthy). */
function truthy(value: unknown, ctx: Context): boolean {
  value = toValue(value);
  if (ctx.opts.jsTruthy) return !!value;
  return value !== false && value !== undefined && value !== null;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const ESCAPED = /[&<>"']/;

/** LiquidJS's escape filter, to the character: the same entities, the same charge to the memory limit. */
function escape(value: unknown, ctx: Context): string {
  const str = stringify(value);
  ctx.memoryLimit.use(str.length);
  return ESCAPED.test(str) ? str.replace(/[&<>"']/g, (ch) => ESCAPES[ch]) : str;
}

/** LiquidJS's stringify: what an output writes. */
export function stringify(value: unknown): string {
  value = toValue(value);
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  return String(value);
}

function isObject(value: unknown): value is object {
  return value !== null && (typeof value === 'object' || typeof value === 'function');
}

function toEnumerable(value: unknown): unknown[] {
  value = toValue(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.length > 0) return [value];
  if (isObject(value) && Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
  if (isObject(value)) return Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
  return [];
}

function isIterator(value: unknown): value is Iterator<unknown> {
  const v = value as { next?: unknown; throw?: unknown; return?: unknown } | null | undefined;
  return !!v && typeof v.next === 'function' && typeof v.throw === 'function' && typeof v.return === 'function';
}

/** A filter or drop method may be a generator (LiquidJS's own are): run it to its value. */
function settle(value: unknown): unknown {
  return isIterator(value) ? toValueSync(value as never) : value;
}

interface Comparable {
  equals(value: unknown): unknown;
  gt(value: unknown): unknown;
  geq(value: unknown): unknown;
  lt(value: unknown): unknown;
  leq(value: unknown): unknown;
}

function isComparable(value: unknown): value is Comparable {
  const v = value as Partial<Record<keyof Comparable, unknown>> | null | undefined;
  return !!v && typeof v.equals === 'function' && typeof v.gt === 'function' && typeof v.geq === 'function' && typeof v.lt === 'function' && typeof v.leq === 'function';
}

function equals(l: unknown, r: unknown): boolean {
  if (isComparable(l)) return settle(l.equals(r)) as boolean;
  if (isComparable(r)) return settle(r.equals(l)) as boolean;
  l = toValue(l);
  r = toValue(r);
  if (Array.isArray(l)) return Array.isArray(r) && l.length === r.length && l.every((item, i) => equals(item, r[i]));
  return l === r;
}

type Operator = (l: unknown, r: unknown, ctx: Context) => unknown;

function compare(l: unknown, r: unknown, method: keyof Comparable, mirrored: keyof Comparable, test: (a: never, b: never) => boolean): unknown {
  if (isComparable(l)) return settle(l[method](r));
  if (isComparable(r)) return settle(r[mirrored](l));
  return test(toValue(l) as never, toValue(r) as never);
}

/** LiquidJS's defaultOperators, without the generators. */
const OPERATORS: Record<string, Operator> = {
  '==': (l, r) => equals(l, r),
  '!=': (l, r) => !equals(l, r),
  '>': (l, r) => compare(l, r, 'gt', 'lt', (a, b) => a > b),
  '<': (l, r) => compare(l, r, 'lt', 'gt', (a, b) => a < b),
  '>=': (l, r) => compare(l, r, 'geq', 'leq', (a, b) => a >= b),
  '<=': (l, r) => compare(l, r, 'leq', 'geq', (a, b) => a <= b),
  contains: (l, r) => {
    l = toValue(l);
    if (Array.isArray(l)) return l.some((item) => equals(item, r));
    if (typeof (l as { indexOf?: unknown } | null | undefined)?.indexOf === 'function') return (l as { indexOf(v: unknown): number }).indexOf(toValue(r)) > -1;
    return false;
  },
  not: (v, _r, ctx) => !truthy(v, ctx),
  and: (l, r, ctx) => truthy(l, ctx) && truthy(r, ctx),
  or: (l, r, ctx) => truthy(l, ctx) || truthy(r, ctx),
};

/** LiquidJS's `forloop` (not exported by it): the same fields in the same order, so `{{ forloop }}` prints the same. */
class ForloopDrop extends Drop {
  i = 0;
  length: number;
  name: string;

  constructor(length: number, collection: string, variable: string) {
    super();
    this.length = length;
    this.name = `${variable}-${collection}`;
  }

  next(): void {
    this.i++;
  }
  index0(): number {
    return this.i;
  }
  index(): number {
    return this.i + 1;
  }
  first(): boolean {
    return this.i === 0;
  }
  last(): boolean {
    return this.i === this.length - 1;
  }
  rindex(): number {
    return this.length - this.i;
  }
  rindex0(): number {
    return this.length - this.i - 1;
  }
  valueOf(): string {
    return JSON.stringify(this);
  }
}
