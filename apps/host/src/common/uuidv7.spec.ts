import { randomUUID } from 'node:crypto';
import { uuidv7, uuidv7Time } from './uuidv7';

describe('uuidv7', () => {
  it('is a version 7, variant 1 UUID carrying the time in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 23, 12, 0, 0);
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time and never repeats', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => uuidv7(1_700_000_000_000 + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    const byMs = ids.map((id) => id.slice(0, 13));
    expect([...byMs].sort()).toEqual(byMs);
  });

  it('tells when a UUIDv7 was made, and nothing for other ids', () => {
    expect(uuidv7Time(uuidv7(1_763_900_000_123))).toBe(1_763_900_000_123);
    expect(uuidv7Time(randomUUID())).toBeUndefined();
    expect(uuidv7Time('not-an-id')).toBeUndefined();
  });
});
