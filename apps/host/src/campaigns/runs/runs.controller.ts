import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { StartRunDto } from './run.dto';
import { RunsService } from './runs.service';

@ApiTags('runs')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  /** Starts a run for a day; 202 with its id and progress, or 200 with the whole summary when `wait`. */
  @Post()
  async start(@CurrentPrincipal() principal: Principal, @Body() body: StartRunDto, @Res({ passthrough: true }) response: Response) {
    const dealers = await this.runs.dealersFor(principal, body.dealerIds);
    const summary = await this.runs.start(dealers, { ...body, startedBy: principal.label });
    response.status(body.wait ? 200 : 202);
    return summary;
  }

  @Get(':runId')
  get(@CurrentPrincipal() principal: Principal, @Param('runId', ParseIdPipe) runId: string) {
    return this.runs.get(runId, principal);
  }
}
