import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/principal';
import { TwilioStatusService } from './twilio-status.service';

/** `POST /hooks/twilio/status` (CONTRACT.md): Twilio's delivery reports, X-Twilio-Signature checked. */
@ApiTags('provider hooks')
@Controller('hooks/twilio')
export class TwilioStatusController {
  constructor(private readonly twilio: TwilioStatusService) {}

  /** Answers 204 once applied (a repeated event changes nothing); 403 when the signature does not check out. */
  @Public()
  @Post('status')
  @HttpCode(204)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({ summary: "Twilio status callback; the URL carries ?dealer=<dealerId>&message=<messageId>, as the SMS channel gave it to Twilio" })
  @ApiNoContentResponse({ description: 'applied, or seen before' })
  async status(@Req() request: Request): Promise<void> {
    await this.twilio.receive({
      originalUrl: request.originalUrl,
      query: request.query as Record<string, unknown>,
      headers: request.headers,
      body: (request.body ?? {}) as Record<string, unknown>,
    });
  }
}
