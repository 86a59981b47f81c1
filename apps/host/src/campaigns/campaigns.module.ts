import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DealerDayPlanner } from './planning/dealer-day.planner';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { CampaignScheduler } from './scheduler/campaign.scheduler';
import { ServiceCatalog } from './services/service-catalog.service';
import { ServiceSubscriptions } from './services/service-subscriptions.service';
import { ServicesController } from './services/services.controller';

/** The service catalog with brand policies and dealer subscriptions; occasions, flows, policies, runs and the daily scheduler. */
@Module({
  imports: [ScheduleModule.forRoot()],
  controllers: [ServicesController, RunsController],
  providers: [ServiceCatalog, ServiceSubscriptions, DealerDayPlanner, RunsService, CampaignScheduler],
  exports: [ServiceCatalog, ServiceSubscriptions, RunsService],
})
export class CampaignsModule {}
