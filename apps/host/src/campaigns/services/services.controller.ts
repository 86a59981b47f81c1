import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { ServiceCatalog } from './service-catalog.service';
import { ServicePolicyDto, SubscriptionDto } from './service-policy.dto';
import { ServiceSubscriptions } from './service-subscriptions.service';

@ApiTags('services')
@ApiBearerAuth()
@Controller('api')
export class ServicesController {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly subscriptions: ServiceSubscriptions,
  ) {}

  /** The catalog: every service with its channels, prices, settings schema and (read-only) flow. */
  @Get('services')
  list() {
    return this.catalog.services().map((s) => ({
      key: s.key,
      name: s.name,
      description: s.description,
      purpose: s.definition.purpose,
      trigger: s.definition.trigger,
      channels: this.catalog.channelsOf(s.definition),
      pricing: s.definition.pricing,
      settingsSchema: s.definition.settings,
      defaults: this.catalog.defaults(s.definition),
      flow: s.definition.flow,
    }));
  }

  @Get('brands/:brandId/services')
  brandPolicies(@CurrentPrincipal() principal: Principal, @Param('brandId', ParseIdPipe) brandId: string) {
    return this.subscriptions.brandPolicies(principal, brandId);
  }

  @Put('brands/:brandId/services/:serviceKey')
  setBrandPolicy(
    @CurrentPrincipal() principal: Principal,
    @Param('brandId', ParseIdPipe) brandId: string,
    @Param('serviceKey') serviceKey: string,
    @Body() body: ServicePolicyDto,
  ) {
    return this.subscriptions.setBrandPolicy(principal, brandId, serviceKey, body);
  }

  @Get('dealers/:dealerId/services')
  dealerServices(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string) {
    return this.subscriptions.list(principal, dealerId);
  }

  @Put('dealers/:dealerId/services/:serviceKey')
  subscribe(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('serviceKey') serviceKey: string,
    @Body() body: SubscriptionDto,
  ) {
    return this.subscriptions.set(principal, dealerId, serviceKey, body);
  }
}
