import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { PluginInstallationDto } from './plugin-installation.dto';
import { PluginInstallationsService } from './plugin-installations.service';

@ApiTags('plugins')
@ApiBearerAuth()
@Controller('api/dealers/:dealerId/plugins')
export class PluginInstallationsController {
  constructor(private readonly installations: PluginInstallationsService) {}

  /** Every plugin with its state, settings and settings schema for the dealer; secrets show only `{ set }`. */
  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string) {
    return this.installations.list(principal, dealerId);
  }

  /** Switches a plugin on or off for the dealer and sets its settings. */
  @Put(':pluginId')
  set(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('pluginId') pluginId: string,
    @Body() body: PluginInstallationDto,
  ) {
    return this.installations.set(principal, dealerId, pluginId, body);
  }
}
