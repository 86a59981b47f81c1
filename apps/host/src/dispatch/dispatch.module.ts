import { Global, Module } from '@nestjs/common';
import { DataRoomModule } from '../data-room/data-room.module';
import { DispatchStore } from './dispatch.store';
import { DispatchWorker } from './dispatch.worker';
import { MESSAGE_RENDERER } from './message-renderer';
import { RenderingService } from '../rendering/rendering.service';
import { MessageStatusService } from './message-status.service';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { OutboxService } from './outbox.service';

/** The outbox, the dispatch workers, provider status callbacks and the message API. */
@Global()
@Module({
  imports: [DataRoomModule],
  controllers: [MessagesController],
  providers: [
    DispatchStore,
    OutboxService,
    DispatchWorker,
    MessageStatusService,
    MessagesService,
    { provide: MESSAGE_RENDERER, useExisting: RenderingService },
  ],
  exports: [OutboxService, DispatchWorker, MessageStatusService],
})
export class DispatchModule {}
