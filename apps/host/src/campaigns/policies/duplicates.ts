/** The keys by which two customer records are the same person: email, phone, or name with postal code. */
export interface IdentityFacts {
  customerId: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  postalCode: string | null;
}

export function identityKeys(c: IdentityFacts): string[] {
  const keys: string[] = [];
  if (c.email) keys.push(`email:${c.email.trim().toLowerCase()}`);
  if (c.phone) keys.push(`phone:${c.phone.replace(/[^\d+]/g, '')}`);
  if (c.name && c.postalCode) keys.push(`name:${c.name.trim().toLowerCase().replace(/\s+/g, ' ')}|${c.postalCode.replace(/\s/g, '').toUpperCase()}`);
  return keys;
}

/**
 * Groups customer records that share any identity key (transitively: A and B share an email,
 * B and C a phone, so all three are one recipient). Returns customer id → the group's
 * representative (the smallest id, so the choice is stable across runs).
 */
export function recipientGroups(customers: IdentityFacts[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byKey = new Map<string, string>();
  for (const c of customers) {
    parent.set(c.customerId, c.customerId);
  }
  for (const c of customers) {
    for (const key of identityKeys(c)) {
      const seen = byKey.get(key);
      if (seen) union(seen, c.customerId);
      else byKey.set(key, c.customerId);
    }
  }
  return new Map(customers.map((c) => [c.customerId, find(c.customerId)]));
}
