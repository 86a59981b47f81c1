import { CustomerSnapshot } from '@forecourt/sdk';
import trigger, { estimatedServiceDate } from './index';

const customer = (vehicles: CustomerSnapshot['vehicles']): CustomerSnapshot => ({
  customerId: 'c1', kind: 'person', createdOn: '2020-01-01', vehicles, appointments: [], events: [],
});

describe('service-due trigger', () => {
  it('uses the recorded next service date', () => {
    const found = trigger.occasions([customer([{ vehicleId: 'v1', brandId: 'b', nextServiceDate: '2027-02-10' }])], { asOf: '2027-01-20', settings: {} });
    expect(found).toMatchObject([{ vehicleIds: ['v1'], dueDate: '2027-02-10', dedupeKey: 'service-due:v1:2027-02-10', data: { estimated: false } }]);
  });

  it('estimates from mileage since registration', () => {
    // 29,000 km in 725 days is 40 km a day: 30,000 km are reached 25 days later.
    expect(estimatedServiceDate({ registrationDate: '2025-01-01', mileageKm: 29_000 }, '2026-12-27', 30_000)).toBe('2027-01-21');
    const found = trigger.occasions([customer([{ vehicleId: 'v2', brandId: 'b', registrationDate: '2025-01-01', mileageKm: 29_000 }])], { asOf: '2026-12-27', settings: {} });
    expect(found).toMatchObject([{ dueDate: '2027-01-21', dedupeKey: 'service-due:v2:est-2027-01', data: { estimated: true } }]);
  });

  it('does not guess without mileage history', () => {
    expect(trigger.occasions([customer([{ vehicleId: 'v3', brandId: 'b' }])], { asOf: '2027-01-01', settings: {} })).toEqual([]);
  });
});
