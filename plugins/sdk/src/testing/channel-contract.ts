import type { ChannelClient, ChannelDefinition, OutgoingMessage, Reach, SendResult, WebhookRequest } from '../channel';
import type { PluginContext } from '../context';
import { makeTestContext } from './test-context';

export interface ChannelContractOptions<Settings = Record<string, unknown>> {
  /** The plugin's default export. */
  definition: ChannelDefinition<Settings>;
  /** Settings for createClient; a function is called once, before the suite, when a server it names has started. */
  settings?: Settings | (() => Settings | Promise<Settings>);
  /** Builds the context; default makeTestContext(settings), which has no renderer (pass yours if the channel renders). */
  makeContext?(settings: Settings): PluginContext<Settings> | Promise<PluginContext<Settings>>;
  /** A message the channel can deliver; called once per test, so give each call a fresh id. */
  sampleMessage(): OutgoingMessage;
  /** Checks the sample arrived where it should (the loopback SMTP server got it, …). */
  expectDelivered?(result: SendResult, message: OutgoingMessage): void | Promise<void>;
  /** How many deliveries the provider side has seen so far; enables the idempotency check. */
  deliveries?(): number | Promise<number>;
  /** A message lacking what the channel needs; default: the sample without the address its `reach` names. */
  unreachableMessage?(): OutgoingMessage;
  /** A status callback with a wrong signature; default: a callback without any signature. */
  badWebhook?(): WebhookRequest;
  /** The day batched channels are sent for (YYYY-MM-DD); default 2026-01-15. */
  batchDate?: string;
  /** Per-test timeout in milliseconds (a browser or a real server may be slow to start); default 30000. */
  timeoutMs?: number;
}

type Hook = () => unknown;
interface JestGlobals {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<unknown> | unknown, timeout?: number): void;
  beforeAll(body: Hook, timeout?: number): void;
  afterAll(body: Hook, timeout?: number): void;
}

const STATUSES = ['sent', 'failed', 'retry', 'unknown'];

/** Why a value is not a SendResult the host can act on; undefined when it is one. */
export function sendResultProblem(result: unknown): string | undefined {
  if (!result || typeof result !== 'object') return `expected a SendResult object, got ${String(result)}`;
  const r = result as Record<string, unknown>;
  if (!STATUSES.includes(r.status as string)) return `status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(r.status)}`;
  const count = (field: string) =>
    r[field] === undefined || (Number.isInteger(r[field]) && (r[field] as number) >= 0) ? undefined : `${field} must be a non-negative integer, got ${JSON.stringify(r[field])}`;
  if (r.status === 'sent') {
    if (r.providerId !== undefined && typeof r.providerId !== 'string') return 'providerId must be a string';
    return count('costCents') ?? count('units');
  }
  if (typeof r.reason !== 'string' || !r.reason) return `a ${r.status} result needs a reason`;
  if (r.status === 'retry' && r.retryAfterMs !== undefined && !(typeof r.retryAfterMs === 'number' && r.retryAfterMs >= 0)) {
    return 'retryAfterMs must be a non-negative number';
  }
  return undefined;
}

const REACH_FIELD: Record<Reach, 'email' | 'phone' | 'address'> = { email: 'email', mobile: 'phone', phone: 'phone', 'postal-address': 'address' };

/** What a send came to: a result, or an error thrown instead (the SDK's errors carry `sendStatus`). */
type Outcome = { result: SendResult } | { thrown: unknown };

async function deliver(client: ChannelClient, message: OutgoingMessage, idempotencyKey: string, date: string): Promise<Outcome> {
  try {
    if (client.send) return { result: await client.send(message, { idempotencyKey }) };
    const batch = await client.sendBatch!([message], { date });
    const result = batch?.results?.[message.id];
    if (!result) throw new ContractError(`sendBatch gave no result for message ${message.id}`);
    return { result };
  } catch (thrown) {
    if (thrown instanceof ContractError) throw thrown;
    return { thrown };
  }
}

class ContractError extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ContractError(message);
}

function sendStatusOf(thrown: unknown): string | undefined {
  return (thrown as { sendStatus?: string } | undefined)?.sendStatus;
}

function describeThrown(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
}

function expectValid(outcome: Outcome, what: string): SendResult | undefined {
  if ('thrown' in outcome) {
    check(
      sendStatusOf(outcome.thrown),
      `${what} threw ${describeThrown(outcome.thrown)}; return a SendResult, or throw PermanentSendError, TransientSendError or UnknownOutcomeError`,
    );
    return undefined;
  }
  const problem = sendResultProblem(outcome.result);
  check(!problem, `${what} answered ${JSON.stringify(outcome.result)}: ${problem}`);
  return outcome.result;
}

function jestGlobals(): JestGlobals {
  const g = globalThis as unknown as Partial<JestGlobals>;
  if (typeof g.describe !== 'function' || typeof g.it !== 'function' || typeof g.beforeAll !== 'function' || typeof g.afterAll !== 'function') {
    throw new Error('runChannelContract declares jest tests: call it at the top level of a spec file run by jest');
  }
  return g as JestGlobals;
}

/**
 * The suite every channel plugin passes. Call it at the top level of a spec file; it declares a
 * `describe` block with one `it` per rule, builds one client before them and closes it after.
 */
export function runChannelContract<Settings = Record<string, unknown>>(name: string, options: ChannelContractOptions<Settings>): void {
  const { describe, it, beforeAll, afterAll } = jestGlobals();
  const { definition } = options;
  const timeout = options.timeoutMs ?? 30_000;
  const date = options.batchDate ?? '2026-01-15';
  let client: ChannelClient | undefined;
  let clientError: unknown;

  const ready = (): ChannelClient => {
    check(!clientError, `createClient failed: ${describeThrown(clientError)}`);
    check(client && typeof client === 'object', `createClient must return a client object, got ${String(client)}`);
    return client;
  };

  describe(`channel contract: ${name}`, () => {
    beforeAll(async () => {
      try {
        const settings = typeof options.settings === 'function' ? await (options.settings as () => Settings)() : ((options.settings ?? {}) as Settings);
        const context = options.makeContext ? await options.makeContext(settings) : makeTestContext(settings);
        client = await definition.createClient(context);
      } catch (error) {
        clientError = error;
      }
    }, timeout);

    afterAll(async () => {
      await client?.close?.();
    }, timeout);

    it('declares a channel: its name, what it reaches, its consent channel and a unit cost in whole cents', () => {
      check(definition?.kind === 'channel', `kind must be "channel" (export defineChannel({ … })), got ${JSON.stringify(definition?.kind)}`);
      check(typeof definition.channel === 'string' && /^[a-z][a-z0-9-]*$/.test(definition.channel), `channel must be a lowercase name, got ${JSON.stringify(definition.channel)}`);
      check(Object.keys(REACH_FIELD).includes(definition.reach), `reach must be one of ${Object.keys(REACH_FIELD).join(', ')}, got ${JSON.stringify(definition.reach)}`);
      check(
        ['email', 'sms', 'letter', 'phone'].includes(definition.consentChannel),
        `consentChannel must be one of email, sms, letter, phone, got ${JSON.stringify(definition.consentChannel)}`,
      );
      check(Number.isInteger(definition.unitCostCents) && definition.unitCostCents >= 0, `unitCostCents must be a non-negative integer, got ${JSON.stringify(definition.unitCostCents)}`);
      check(typeof definition.createClient === 'function', 'createClient must be a function');
    });

    it('builds a client that sends one message (send) or a day of them (sendBatch)', () => {
      const c = ready();
      check(typeof c.send === 'function' || typeof c.sendBatch === 'function', 'the client has neither send nor sendBatch');
    });

    it('sends the sample message and answers a valid SendResult', async () => {
      const message = options.sampleMessage();
      const result = expectValid(await deliver(ready(), message, message.id, date), 'sending the sample');
      if (result && options.expectDelivered) await options.expectDelivered(result, message);
    }, timeout);

    it('does not deliver one message twice when it is sent again with the same idempotency key', async () => {
      const c = ready();
      const message = options.sampleMessage();
      const before = options.deliveries ? await options.deliveries() : 0;
      expectValid(await deliver(c, message, message.id, date), 'the first send');
      expectValid(await deliver(c, message, message.id, date), 'the second send with the same key');
      if (options.deliveries) {
        const delivered = (await options.deliveries()) - before;
        check(delivered <= 1, `the provider saw ${delivered} deliveries of one message sent twice with one idempotency key`);
      }
    }, timeout);

    it('fails a message it cannot deliver permanently (failed), without throwing anything else', async () => {
      const field = REACH_FIELD[definition.reach] ?? 'email';
      const message = options.unreachableMessage?.() ?? (() => {
        const sample = options.sampleMessage();
        const to = { ...sample.to };
        delete to[field];
        return { ...sample, to };
      })();
      const outcome = await deliver(ready(), message, message.id, date);
      if ('thrown' in outcome) {
        check(sendStatusOf(outcome.thrown) === 'failed', `a message without ${field} threw ${describeThrown(outcome.thrown)}; answer { status: 'failed', reason } or throw PermanentSendError`);
        return;
      }
      expectValid(outcome, `a message without ${field}`);
      check(outcome.result.status === 'failed', `a message without ${field} must fail permanently, got ${JSON.stringify(outcome.result)}`);
    }, timeout);

    it('answers a lookup by idempotency key: nothing for a key never sent, a valid result or nothing for one sent (when it has lookup)', async () => {
      const c = ready();
      if (!c.lookup) return;
      const never = await c.lookup(`contract-never-sent-${Date.now()}`);
      check(never === undefined, `lookup of a key never sent must answer undefined, got ${JSON.stringify(never)}`);
      const message = options.sampleMessage();
      expectValid(await deliver(c, message, message.id, date), 'sending the sample');
      const found = await c.lookup(message.id);
      if (found !== undefined) check(!sendResultProblem(found), `lookup answered ${JSON.stringify(found)}: ${sendResultProblem(found)}`);
    }, timeout);

    it('rejects a status webhook whose signature is wrong (when it parses webhooks)', async () => {
      const c = ready();
      if (!c.parseStatusWebhook) return;
      const request: WebhookRequest = options.badWebhook?.() ?? {
        url: 'https://forecourt.invalid/hooks/contract',
        headers: { 'content-type': 'application/json' },
        body: { status: 'delivered', id: 'contract-test' },
      };
      let parsed: unknown;
      try {
        parsed = await c.parseStatusWebhook(request);
      } catch {
        return;
      }
      throw new ContractError(`parseStatusWebhook accepted a request with a bad signature: ${JSON.stringify(parsed)}`);
    }, timeout);

    it('answers a health check (when it has one)', async () => {
      const c = ready();
      if (!c.health) return;
      const health = await c.health();
      check(health && typeof health.ok === 'boolean', `health() must resolve to { ok: boolean, detail? }, got ${JSON.stringify(health)}`);
    }, timeout);
  });
}
