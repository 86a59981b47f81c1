import { Module } from '@nestjs/common';
import { DataRoomModule } from '../data-room/data-room.module';
import { BouncesController } from './bounces.controller';
import { BouncesService } from './bounces.service';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

/** Opens and clicks of emails (the pixel and the redirect their signed links point to), and bounces reported later. */
@Module({ imports: [DataRoomModule], controllers: [TrackingController, BouncesController], providers: [TrackingService, BouncesService] })
export class TrackingModule {}
