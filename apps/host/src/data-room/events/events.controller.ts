import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { EventDto } from './event.dto';
import { EventsService } from './events.service';

@ApiTags('data room: events')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Post()
  async record(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Body() body: EventDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { created, event } = await this.events.record(principal, dealerId, body);
    response.status(created ? 201 : 200);
    return event;
  }
}
