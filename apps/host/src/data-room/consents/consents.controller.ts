import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { ExternalIdPipe } from '../external-id.pipe';
import { ConsentDto } from './consent.dto';
import { ConsentsService } from './consents.service';

@ApiTags('data room: consents')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/customers/:externalId/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  /** Appends to the ledger; the same statement twice is one entry (answered 200 instead of 201). */
  @Post()
  async record(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
    @Body() body: ConsentDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.consents.record(principal, dealerId, externalId, body);
    response.status(result.recorded ? 201 : 200);
    return result;
  }

  @Get()
  ledger(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
  ) {
    return this.consents.ledger(principal, dealerId, externalId);
  }
}
