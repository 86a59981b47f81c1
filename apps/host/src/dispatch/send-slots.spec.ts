import { SendSlots } from './send-slots';

describe('SendSlots', () => {
  it('lets `limit` sends start, makes the next wait for a release, in arrival order', async () => {
    const slots = new SendSlots<string>();
    const started: number[] = [];
    const takes = [1, 2, 3, 4].map((n) => slots.take('pool', 2).then(() => started.push(n)));
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect(slots.busy('pool')).toBe(2);
    slots.release('pool', 2);
    await takes[2];
    expect(started).toEqual([1, 2, 3]);
    expect(slots.busy('pool')).toBe(2);
    slots.release('pool', 2);
    await takes[3];
    slots.release('pool', 2);
    slots.release('pool', 2);
    expect(slots.busy('pool')).toBe(0);
  });

  it('keeps clients apart and does not count clients without a limit', async () => {
    const slots = new SendSlots<string>();
    await slots.take('a', 1);
    await slots.take('b', 1);
    await slots.take('c', undefined);
    expect([slots.busy('a'), slots.busy('b'), slots.busy('c')]).toEqual([1, 1, 0]);
  });
});
