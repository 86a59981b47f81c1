import trigger from './index';

describe('welcome trigger', () => {
  it('fires for customers recorded in the last withinDays days, once each', () => {
    const mk = (customerId: string, createdOn: string) => ({ customerId, kind: 'person' as const, createdOn, vehicles: [], appointments: [], events: [] });
    const found = trigger.occasions([mk('new', '2027-01-10'), mk('old', '2026-10-01')], { asOf: '2027-01-12', settings: { withinDays: 14 } });
    expect(found).toEqual([{ customerId: 'new', vehicleIds: [], dueDate: '2027-01-10', dedupeKey: 'welcome:new' }]);
  });
});
