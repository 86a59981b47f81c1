import { User } from './user.entity';

/** A user as the API shows it: never the password hash. */
export function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: user.name ?? undefined,
    role: user.role,
    brandIds: (user.brands ?? []).map((b) => b.id),
    dealerId: user.dealerId ?? undefined,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt ?? undefined,
  };
}
