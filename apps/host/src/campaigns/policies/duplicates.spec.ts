import { recipientGroups } from './duplicates';

describe('duplicate customers', () => {
  it('treats records sharing an email, a phone, or name and postal code as one recipient, transitively', () => {
    const groups = recipientGroups([
      { customerId: 'a', email: 'Jan@Example.nl', phone: null, name: 'Jan de Vries', postalCode: '3511 AB' },
      { customerId: 'b', email: 'jan@example.nl', phone: '+31612345678', name: null, postalCode: null },
      { customerId: 'c', email: null, phone: '+31 6 12345678', name: null, postalCode: null },
      { customerId: 'd', email: null, phone: null, name: 'jan  de vries', postalCode: '3511AB' },
      { customerId: 'e', email: 'other@example.nl', phone: null, name: 'Jan de Vries', postalCode: '1011 AA' },
    ]);
    expect(new Set([groups.get('a'), groups.get('b'), groups.get('c'), groups.get('d')]).size).toBe(1);
    expect(groups.get('a')).toBe('a');
    expect(groups.get('e')).toBe('e');
  });
});
