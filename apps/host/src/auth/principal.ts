import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export const ROLES = ['network-admin', 'brand-admin', 'dealer-admin', 'dealer-user'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a logged-in user or a dealer's API key. Every request past the guard has one. */
export interface Principal {
  kind: 'user' | 'api-key';
  id: string;
  /** For the audit log: the user's email or the key's prefix. */
  label: string;
  role: Role | 'api-key';
  brandIds: string[];
  dealerId?: string;
}

export const IS_PUBLIC = 'forecourt:public';
/** A route anyone may call (login, health, public pages); everything else needs a principal. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().principal;
});
