import { Role } from '../auth/principal';

export const DEMO_PASSWORD = 'forecourt-demo';

export const DEMO_LOGINS: { email: string; role: Role }[] = [
  { email: 'admin@demo.test', role: 'network-admin' },
  { email: 'brand@demo.test', role: 'brand-admin' },
  { email: 'dealer@demo.test', role: 'dealer-admin' },
];
