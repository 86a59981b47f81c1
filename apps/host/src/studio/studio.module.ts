import { Module } from '@nestjs/common';
import { StudioController } from './studio.controller';

/** Serves the studio web app (built from studio/ by `npm run build`) at /studio. */
@Module({ controllers: [StudioController] })
export class StudioModule {}
