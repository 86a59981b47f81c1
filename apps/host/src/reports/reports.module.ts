import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Dealer and brand reports: figures by week, service and channel, conversions, budget against spend, CSV. */
@Module({ imports: [CampaignsModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
