import { Module } from '@nestjs/common';
import { TwilioStatusController } from './twilio-status.controller';
import { TwilioStatusService } from './twilio-status.service';

/** Providers' status callbacks that reach the host over HTTP (Twilio's). */
@Module({ controllers: [TwilioStatusController], providers: [TwilioStatusService] })
export class DispatchHooksModule {}
