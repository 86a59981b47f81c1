import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { PageQuery } from '../../common/pagination';
import { ExternalIdPipe, NewExternalIdPipe } from '../external-id.pipe';
import { VehicleDto } from './vehicle.dto';
import { VehiclesService } from './vehicles.service';

export class VehicleQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) customerExternalId?: string;
}

@ApiTags('data room: vehicles')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/vehicles')
export class VehiclesController {
  constructor(private readonly vehicles: VehiclesService) {}

  @Put(':externalId')
  async upsert(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', NewExternalIdPipe) externalId: string,
    @Body() body: VehicleDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { created, vehicle } = await this.vehicles.upsert(principal, dealerId, externalId, body);
    response.status(created ? 201 : 200);
    return vehicle;
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: VehicleQuery) {
    return this.vehicles.list(principal, dealerId, query);
  }

  @Get(':externalId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
  ) {
    return this.vehicles.get(principal, dealerId, externalId);
  }
}
