import { AbilityBuilder, createMongoAbility, MongoAbility } from '@casl/ability';
import { Injectable } from '@nestjs/common';
import { Principal } from './principal';

export type Action = 'manage' | 'create' | 'read' | 'update' | 'delete';
/**
 * DataRoom stands for every record in a dealer's data room (customers, vehicles, consents,
 * appointments, events, imports); its only condition is `dealerId`.
 */
export type Subject =
  | 'Brand' | 'Dealer' | 'User' | 'ApiKey' | 'AuditLog' | 'DataRoom' | 'Plugin' | 'Report' | 'ServicePolicy' | 'Subscription' | 'Template' | 'TemplateSlots' | 'Webhook' | 'all';
export type AppAbility = MongoAbility<[Action, Subject | Record<string, unknown>]>;

/**
 * What each role may do (DESIGN.md, Security model). The brand and network side manage the
 * network; only a dealer's own people and keys reach its data room.
 */
@Injectable()
export class AbilityFactory {
  forPrincipal(principal: Principal): AppAbility {
    const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
    switch (principal.role) {
      case 'network-admin':
        can('manage', 'Brand');
        can('manage', 'Dealer');
        can('manage', 'User');
        // A key opens the dealer's data room, which a network admin does not read: issuing and
        // revoking keys is the dealer admin's business; the network admin sees which keys exist.
        can('read', 'ApiKey');
        can('read', 'AuditLog');
        can('manage', 'Plugin');
        can('manage', 'ServicePolicy');
        can('manage', 'Subscription');
        can('manage', 'Template');
        can('read', 'Report');
        // A dealer's CRM endpoints may be set up with the network's help; the events carry ids, not people.
        can('manage', 'Webhook');
        break;
      case 'brand-admin':
        can('read', 'Brand');
        can('update', 'Brand', { id: { $in: principal.brandIds } });
        can('read', 'Dealer', { brandIds: { $in: principal.brandIds } });
        // The catalog of plugins, not a dealer's installations (those carry a dealerId).
        can('read', 'Plugin', { dealerId: { $exists: false } });
        can('manage', 'ServicePolicy', { brandId: { $in: principal.brandIds } });
        // Brand reports only: aggregates with small groups suppressed, never a dealer's own report.
        can('read', 'Report', { brandId: { $in: principal.brandIds } });
        // Masters serve the whole network in each brand's theme (DESIGN.md, Rendering).
        can('manage', 'Template');
        break;
      case 'dealer-admin':
        can('read', 'Brand');
        can(['read', 'update'], 'Dealer', { id: principal.dealerId });
        can('manage', 'DataRoom', { dealerId: principal.dealerId });
        can(['create', 'read', 'delete'], 'ApiKey', { dealerId: principal.dealerId });
        can(['create', 'read'], 'User', { dealerId: principal.dealerId, role: 'dealer-user' });
        can('read', 'AuditLog', { dealerId: principal.dealerId });
        can(['read', 'update'], 'Plugin', { dealerId: principal.dealerId });
        can('manage', 'Subscription', { dealerId: principal.dealerId });
        can('read', 'Report', { dealerId: principal.dealerId });
        // The published masters, and the slots the brand opened in them.
        can('read', 'Template');
        can(['read', 'update'], 'TemplateSlots', { dealerId: principal.dealerId });
        can('manage', 'Webhook', { dealerId: principal.dealerId });
        break;
      case 'dealer-user':
        can('read', 'Brand');
        can('read', 'Dealer', { id: principal.dealerId });
        can(['create', 'read', 'update'], 'DataRoom', { dealerId: principal.dealerId });
        can('read', 'Subscription', { dealerId: principal.dealerId });
        can('read', 'Report', { dealerId: principal.dealerId });
        can('read', 'Template');
        can('read', 'TemplateSlots', { dealerId: principal.dealerId });
        can('read', 'Webhook', { dealerId: principal.dealerId });
        break;
      case 'api-key':
        can('read', 'Brand');
        can('read', 'Dealer', { id: principal.dealerId });
        can('manage', 'DataRoom', { dealerId: principal.dealerId });
        // The CRM the key belongs to registers its own endpoint.
        can('manage', 'Webhook', { dealerId: principal.dealerId });
        can('read', 'Report', { dealerId: principal.dealerId });
        break;
    }
    return build();
  }
}
