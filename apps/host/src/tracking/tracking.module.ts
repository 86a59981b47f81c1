import { Module } from '@nestjs/common';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

/** Opens and clicks of emails: the pixel and the redirect their signed links point to. */
@Module({ controllers: [TrackingController], providers: [TrackingService] })
export class TrackingModule {}
