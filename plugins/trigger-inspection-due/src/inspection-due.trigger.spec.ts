import { CustomerSnapshot } from '@forecourt/sdk';
import trigger from './index';

const customer = (vehicles: CustomerSnapshot['vehicles']): CustomerSnapshot => ({
  customerId: 'c1', kind: 'company', createdOn: '2020-01-01', vehicles, appointments: [], events: [],
});

describe('inspection-due trigger', () => {
  const fleet = customer([
    { vehicleId: 'v1', brandId: 'b', inspectionDueDate: '2027-03-01' },
    { vehicleId: 'v2', brandId: 'b', inspectionDueDate: '2027-03-10' },
    { vehicleId: 'v3', brandId: 'b', inspectionDueDate: '2027-06-01' },
    { vehicleId: 'v4', brandId: 'b' },
  ]);

  it('fires for each vehicle due within the lead time, with a stable key', () => {
    const found = trigger.occasions([fleet], { asOf: '2027-01-18', settings: { leadTimeDays: 42 } });
    expect(found.map((o) => o.dedupeKey)).toEqual(['inspection-due:v1:2027-03-01']);
    const later = trigger.occasions([fleet], { asOf: '2027-01-28', settings: { leadTimeDays: 42 } });
    expect(later.map((o) => o.vehicleIds[0])).toEqual(['v1', 'v2']);
    expect(later[0].dedupeKey).toBe(found[0].dedupeKey);
  });

  it('stops once the due date has passed', () => {
    expect(trigger.occasions([fleet], { asOf: '2027-03-02', settings: {} }).map((o) => o.vehicleIds[0])).toEqual(['v2']);
  });

  it('tells the host which vehicles can be candidates', () => {
    expect(trigger.prefilter!({ asOf: '2027-01-01', settings: { leadTimeDays: 30 } })).toEqual([
      { field: 'vehicle.inspectionDueDate', fromDays: 0, toDays: 30 },
    ]);
  });
});
