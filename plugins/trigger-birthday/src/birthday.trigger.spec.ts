import { CustomerSnapshot } from '@forecourt/sdk';
import trigger from './index';

const person = (customerId: string, birthDate?: string, kind: 'person' | 'company' = 'person'): CustomerSnapshot => ({
  customerId, kind, birthDate, createdOn: '2020-01-01', vehicles: [], appointments: [], events: [],
});

describe('birthday trigger', () => {
  const batch = [person('a', '1980-05-04'), person('b', '1992-02-29'), person('c', '1975-05-05'), person('d', '1970-05-04', 'company'), person('e')];

  it('fires on the day, once per year', () => {
    const found = trigger.occasions(batch, { asOf: '2027-05-04', settings: {} });
    expect(found).toEqual([{ customerId: 'a', vehicleIds: [], dueDate: '2027-05-04', dedupeKey: 'birthday:a:2027' }]);
  });

  it('fires daysAhead before the day', () => {
    expect(trigger.occasions(batch, { asOf: '2027-04-28', settings: { daysAhead: 7 } }).map((o) => o.customerId)).toEqual(['c']);
  });

  it('celebrates 29 February on 28 February outside leap years', () => {
    expect(trigger.occasions(batch, { asOf: '2027-02-28', settings: {} }).map((o) => o.customerId)).toEqual(['b']);
    expect(trigger.occasions(batch, { asOf: '2028-02-28', settings: {} })).toEqual([]);
    expect(trigger.occasions(batch, { asOf: '2028-02-29', settings: {} }).map((o) => o.customerId)).toEqual(['b']);
  });
});
