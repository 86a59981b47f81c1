import trigger from './index';

describe('warranty-expiry trigger', () => {
  it('fires within the lead time before the warranty ends', () => {
    const batch = [{
      customerId: 'c', kind: 'person' as const, createdOn: '2020-01-01', appointments: [], events: [],
      vehicles: [
        { vehicleId: 'v1', brandId: 'b', warrantyEndDate: '2027-03-01' },
        { vehicleId: 'v2', brandId: 'b', warrantyEndDate: '2027-09-01' },
      ],
    }];
    expect(trigger.occasions(batch, { asOf: '2027-01-15', settings: { leadTimeDays: 60 } }).map((o) => o.dedupeKey)).toEqual([
      'warranty-expiry:v1:2027-03-01',
    ]);
    expect(trigger.occasions(batch, { asOf: '2027-03-02', settings: { leadTimeDays: 60 } })).toEqual([]);
  });
});
