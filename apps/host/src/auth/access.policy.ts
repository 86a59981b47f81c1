import { subject } from '@casl/ability';
import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AbilityFactory, Action, AppAbility, Subject } from './ability.factory';
import { Principal } from './principal';

/** CASL checks at the edge, with the answers the contract asks for (404 for another dealer's ids). */
@Injectable()
export class AccessPolicy {
  constructor(private readonly abilities: AbilityFactory) {}

  ability(principal: Principal): AppAbility {
    return this.abilities.forPrincipal(principal);
  }

  can(principal: Principal, action: Action, type: Exclude<Subject, 'all'>, record?: Record<string, unknown>): boolean {
    const ability = this.ability(principal);
    return record ? ability.can(action, subject(type, { ...record })) : ability.can(action, type);
  }

  /** For role-level rules: may this principal do `action` on some `type` at all? */
  assert(principal: Principal, action: Action, type: Exclude<Subject, 'all'>, record?: Record<string, unknown>): void {
    if (!this.can(principal, action, type, record)) {
      throw new ForbiddenException(`a ${principal.role} may not ${action} this ${type.toLowerCase()}`);
    }
  }

  /**
   * A data room is someone else's or not there: 404, so its existence does not leak.
   * Roles without any data-room access (brand and network admins) get 403.
   */
  assertDataRoom(principal: Principal, dealerId: string, action: Action): void {
    if (this.can(principal, action, 'DataRoom', { dealerId })) return;
    if (!this.can(principal, 'read', 'DataRoom')) {
      throw new ForbiddenException(`a ${principal.role} does not see records in dealers' data rooms`);
    }
    if (principal.dealerId !== dealerId) throw new NotFoundException('dealer not found');
    throw new ForbiddenException(`a ${principal.role} may not ${action} these records`);
  }
}
