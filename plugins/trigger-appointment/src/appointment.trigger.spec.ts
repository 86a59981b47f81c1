import { CustomerSnapshot } from '@forecourt/sdk';
import trigger from './index';

const c: CustomerSnapshot = {
  customerId: 'c', kind: 'person', createdOn: '2020-01-01', vehicles: [], events: [],
  appointments: [
    { vehicleId: 'v1', type: 'inspection', startsOn: '2027-02-10', status: 'booked' },
    { vehicleId: 'v2', type: 'service', startsOn: '2027-02-08', status: 'done' },
    { vehicleId: 'v3', type: 'service', startsOn: '2027-02-10', status: 'cancelled' },
  ],
};

describe('appointment trigger', () => {
  it('fires daysBefore a booked appointment', () => {
    expect(trigger.occasions([c], { asOf: '2027-02-09', settings: { when: 'before', daysBefore: 1 } })).toEqual([
      { customerId: 'c', vehicleIds: ['v1'], dueDate: '2027-02-10', dedupeKey: 'appointment-before:v1:2027-02-10', data: { appointmentType: 'inspection' } },
    ]);
  });

  it('fires daysAfter an appointment that was done, not a cancelled one', () => {
    expect(trigger.occasions([c], { asOf: '2027-02-10', settings: { when: 'after', daysAfter: 2 } }).map((o) => o.vehicleIds)).toEqual([['v2']]);
    expect(trigger.occasions([c], { asOf: '2027-02-12', settings: { when: 'after', daysAfter: 2 } })).toEqual([]);
  });
});
