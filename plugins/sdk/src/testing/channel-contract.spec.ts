import { makeTestContext } from './test-context';
import { sendResultProblem } from './channel-contract';

describe('sendResultProblem', () => {
  it('accepts the four statuses in their shapes', () => {
    expect(sendResultProblem({ status: 'sent' })).toBeUndefined();
    expect(sendResultProblem({ status: 'sent', providerId: 'p-1', costCents: 8, units: 2, sandbox: true })).toBeUndefined();
    expect(sendResultProblem({ status: 'failed', reason: 'no address' })).toBeUndefined();
    expect(sendResultProblem({ status: 'retry', reason: '421', retryAfterMs: 5000 })).toBeUndefined();
    expect(sendResultProblem({ status: 'unknown', reason: 'timeout after DATA' })).toBeUndefined();
  });

  it('names what is wrong', () => {
    expect(sendResultProblem(undefined)).toBe('expected a SendResult object, got undefined');
    expect(sendResultProblem({ status: 'ok' })).toBe('status must be one of sent, failed, retry, unknown, got "ok"');
    expect(sendResultProblem({ status: 'sent', costCents: 1.5 })).toBe('costCents must be a non-negative integer, got 1.5');
    expect(sendResultProblem({ status: 'sent', costCents: -1 })).toBe('costCents must be a non-negative integer, got -1');
    expect(sendResultProblem({ status: 'failed' })).toBe('a failed result needs a reason');
    expect(sendResultProblem({ status: 'retry', reason: 'busy', retryAfterMs: -5 })).toBe('retryAfterMs must be a non-negative number');
  });
});

describe('makeTestContext', () => {
  it('keeps log lines instead of printing them, has a fixed clock and a JSON store', async () => {
    const context = makeTestContext({ url: 'http://127.0.0.1:9' }, { now: new Date('2027-02-03T04:05:06Z'), pluginId: 'channel-test' });
    context.logger.info('hello', { id: 1 });
    expect(context.logs).toEqual([{ level: 'info', message: 'hello', data: { id: 1 } }]);
    expect(context.clock.now().toISOString()).toBe('2027-02-03T04:05:06.000Z');
    expect(context.pluginId).toBe('channel-test');
    expect(context.settings).toEqual({ url: 'http://127.0.0.1:9' });
    await context.store.set('k', { at: new Date('2027-02-03T00:00:00Z') });
    expect(await context.store.get('k')).toEqual({ at: '2027-02-03T00:00:00.000Z' });
    await context.store.delete('k');
    expect(await context.store.get('k')).toBeUndefined();
  });

  it('has no renderer of its own: using it without passing one is an error that says so', async () => {
    expect(() => makeTestContext({}).renderer.text('<p>x</p>')).toThrow("pass the host's renderer");
    await expect(makeTestContext({}).renderer.merge('{{ a }}', { a: 1 })).rejects.toThrow("pass the host's renderer");
    const renderer = { mjml: (s: string) => s, merge: async (s: string) => s, text: (s: string) => s };
    expect(makeTestContext({}, { renderer }).renderer).toBe(renderer);
  });
});
