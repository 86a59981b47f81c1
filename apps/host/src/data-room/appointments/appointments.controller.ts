import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { PageQuery } from '../../common/pagination';
import { ExternalIdPipe, NewExternalIdPipe } from '../external-id.pipe';
import { AppointmentDto } from './appointment.dto';
import { AppointmentsService } from './appointments.service';

@ApiTags('data room: appointments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Put(':externalId')
  async upsert(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', NewExternalIdPipe) externalId: string,
    @Body() body: AppointmentDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { created, appointment } = await this.appointments.upsert(principal, dealerId, externalId, body);
    response.status(created ? 201 : 200);
    return appointment;
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: PageQuery) {
    return this.appointments.list(principal, dealerId, query);
  }

  @Get(':externalId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
  ) {
    return this.appointments.get(principal, dealerId, externalId);
  }
}
