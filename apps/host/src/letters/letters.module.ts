import { Module } from '@nestjs/common';
import { DataRoomModule } from '../data-room/data-room.module';
import { LettersController } from './letters.controller';
import { LettersService } from './letters.service';

/** Letter print files: the list per dealer and the PDF download. */
@Module({ imports: [DataRoomModule], controllers: [LettersController], providers: [LettersService] })
export class LettersModule {}
