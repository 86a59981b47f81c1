import { CustomerSnapshot } from '@forecourt/sdk';
import trigger from './index';

const visits = (customerId: string, days: string[]): CustomerSnapshot => ({
  customerId, kind: 'person', createdOn: '2015-01-01', vehicles: [], events: [],
  appointments: days.map((startsOn) => ({ vehicleId: 'v', type: 'service', startsOn, status: 'done' as const })),
});

describe('win-back trigger', () => {
  it('fires after monthsWithoutVisit months without a visit', () => {
    const c = visits('a', ['2024-03-01']);
    expect(trigger.occasions([c], { asOf: '2025-08-31', settings: { monthsWithoutVisit: 18, useOwnInterval: false } })).toEqual([]);
    expect(trigger.occasions([c], { asOf: '2025-09-01', settings: { monthsWithoutVisit: 18, useOwnInterval: false } })).toEqual([
      { customerId: 'a', vehicleIds: [], dueDate: '2025-09-01', dedupeKey: 'win-back:a:2024-03-01', data: { lastVisit: '2024-03-01' } },
    ]);
  });

  it("fires earlier for a customer who is away longer than their own usual interval", () => {
    const c = visits('b', ['2024-01-01', '2024-04-01', '2024-07-01']);
    expect(trigger.occasions([c], { asOf: '2024-10-01', settings: {} })).toEqual([]);
    expect(trigger.occasions([c], { asOf: '2024-11-20', settings: {} }).map((o) => o.customerId)).toEqual(['b']);
  });

  it('never fires for customers who never visited', () => {
    expect(trigger.occasions([visits('c', [])], { asOf: '2030-01-01', settings: {} })).toEqual([]);
  });
});
