import type { Pool } from 'pg';
import { PreferenceStateReader } from './preference-state.reader';

/** A pool that answers each asked-for pair with its own state, in the statement's order, and counts statements. */
function countingPool() {
  const statements: string[][] = [];
  const pool = {
    query: async ({ values }: { values: [string[], string[]] }) => {
      statements.push(values[1]);
      return { rows: values[1].map((m, at) => ({ i: at + 1, state: m.startsWith('gone') ? null : { message: m, dealer: values[0][at] } })) };
    },
  } as unknown as Pool;
  return { pool, statements };
}

describe('PreferenceStateReader', () => {
  it('reads the views asked for in one turn of the event loop in one statement, each answered with its own state', async () => {
    const { pool, statements } = countingPool();
    const reader = new PreferenceStateReader(() => pool);
    const asked = Array.from({ length: 30 }, (_, i) => ({ dealer: `d${i % 3}`, message: i === 7 ? 'gone-7' : `m${i}` }));
    const states = await Promise.all(asked.map((a) => reader.read(a.dealer, a.message)));
    expect(statements).toHaveLength(1);
    states.forEach((state, i) => expect(state).toEqual(i === 7 ? null : { message: `m${i}`, dealer: `d${i % 3}` }));
  });

  it('splits a large burst into statements of at most 50, and reads later views in a statement of their own', async () => {
    const { pool, statements } = countingPool();
    const reader = new PreferenceStateReader(() => pool);
    await Promise.all(Array.from({ length: 120 }, (_, i) => reader.read('d', `m${i}`)));
    expect(statements.map((s) => s.length)).toEqual([50, 50, 20]);
    await reader.read('d', 'later');
    expect(statements).toHaveLength(4);
  });

  it('keeps at most two statements under way; views asked for meanwhile go together into the next one', async () => {
    const statements: string[][] = [];
    const answers: (() => void)[] = [];
    const pool = {
      query: ({ values }: { values: [string[], string[]] }) =>
        new Promise((resolve) => {
          statements.push(values[1]);
          answers.push(() => resolve({ rows: values[1].map((m, at) => ({ i: at + 1, state: { message: m } })) }));
        }),
    } as unknown as Pool;
    const reader = new PreferenceStateReader(() => pool);
    const first = [reader.read('d', 'a')];
    await new Promise((r) => setImmediate(r));
    const second = [reader.read('d', 'b')];
    await new Promise((r) => setImmediate(r));
    const waiting = ['c', 'd', 'e'].map((m) => reader.read('d', m));
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual([['a'], ['b']]);
    answers[0]();
    await Promise.all(first);
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    answers[1]();
    answers[2]();
    expect(await Promise.all([...second, ...waiting])).toEqual(['b', 'c', 'd', 'e'].map((message) => ({ message })));
  });

  it('fails every view of a statement that failed, and the next ones read again', async () => {
    let fail = true;
    const pool = { query: async () => { if (fail) throw new Error('connection lost'); return { rows: [{ i: 1, state: { ok: true } }] }; } } as unknown as Pool;
    const reader = new PreferenceStateReader(() => pool);
    await expect(Promise.all([reader.read('d', 'a'), reader.read('d', 'b')])).rejects.toThrow('connection lost');
    fail = false;
    await expect(reader.read('d', 'c')).resolves.toEqual({ ok: true });
  });
});
