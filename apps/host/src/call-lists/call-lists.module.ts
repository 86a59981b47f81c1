import { Module } from '@nestjs/common';
import { DataRoomModule } from '../data-room/data-room.module';
import { CallListsController } from './call-lists.controller';
import { CallListsService } from './call-lists.service';

/** The dealers' daily call lists (messages on the call-list channel) and the outcomes of the calls. */
@Module({ imports: [DataRoomModule], controllers: [CallListsController], providers: [CallListsService] })
export class CallListsModule {}
