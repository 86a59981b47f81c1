import trigger, { scoreOn } from './index';

const lead = (events: { type: string; on: string }[]) => ({
  customerId: 'c', kind: 'person' as const, createdOn: '2020-01-01', vehicles: [], appointments: [],
  events: events.map((e) => ({ ...e, properties: {} })),
});

describe('event-score trigger', () => {
  const settings = { points: { visit: 5, 'test-drive': 10 }, halfLifeDays: 10, threshold: 14 };

  it('decays points by half every halfLifeDays', () => {
    expect(scoreOn([{ type: 'test-drive', on: '2027-01-01' }], '2027-01-11', settings.points, 10)).toBeCloseTo(5);
  });

  it('fires on the day the threshold is crossed, not again while above it', () => {
    const c = lead([{ type: 'visit', on: '2027-01-01' }, { type: 'test-drive', on: '2027-01-02' }]);
    expect(trigger.occasions([c], { asOf: '2027-01-01', settings })).toEqual([]);
    expect(trigger.occasions([c], { asOf: '2027-01-02', settings })).toMatchObject([{ dedupeKey: 'event-score:c:2027-01-02' }]);
    expect(trigger.occasions([c], { asOf: '2027-01-03', settings })).toEqual([]);
  });

  it('ignores event types without points', () => {
    expect(trigger.occasions([lead([{ type: 'newsletter-open', on: '2027-01-01' }])], { asOf: '2027-01-01', settings })).toEqual([]);
  });
});
