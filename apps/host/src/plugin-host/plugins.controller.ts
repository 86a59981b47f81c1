import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AccessPolicy } from '../auth/access.policy';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { PluginRegistry } from './plugin-registry.service';

@ApiTags('plugins')
@ApiBearerAuth()
@Controller('api/plugins')
export class PluginsController {
  constructor(
    private readonly registry: PluginRegistry,
    private readonly access: AccessPolicy,
  ) {}

  /** Every discovered plugin, enabled or not; a disabled one says why. */
  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    this.access.assert(principal, 'read', 'Plugin');
    return this.registry.list().map((p) => ({
      id: p.id,
      kind: p.manifest?.kind,
      version: p.manifest?.version,
      displayName: p.manifest?.displayName,
      description: p.manifest?.description,
      sdk: p.manifest?.sdk,
      state: p.state,
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.definition?.kind === 'channel' ? { channel: p.definition.channel } : {}),
    }));
  }
}
