import { Module } from '@nestjs/common';
import { ServiceCatalog } from './services/service-catalog.service';
import { ServiceSubscriptions } from './services/service-subscriptions.service';
import { ServicesController } from './services/services.controller';

/** The service catalog with brand policies and dealer subscriptions; occasions, flows, policies and runs. */
@Module({
  controllers: [ServicesController],
  providers: [ServiceCatalog, ServiceSubscriptions],
  exports: [ServiceCatalog, ServiceSubscriptions],
})
export class CampaignsModule {}
