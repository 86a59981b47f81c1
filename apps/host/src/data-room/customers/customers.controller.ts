import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { AuditedByHandler } from '../../audit/audit.interceptor';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { PageQuery } from '../../common/pagination';
import { ExternalIdPipe, NewExternalIdPipe } from '../external-id.pipe';
import { CustomerDto } from './customer.dto';
import { CustomersService } from './customers.service';

export class CustomerQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'search in external id, name, email and postal code' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

@ApiTags('data room: customers')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Put(':externalId')
  async upsert(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', NewExternalIdPipe) externalId: string,
    @Body() body: CustomerDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { created, customer } = await this.customers.upsert(principal, dealerId, externalId, body);
    response.status(created ? 201 : 200);
    return customer;
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: CustomerQuery) {
    return this.customers.list(principal, dealerId, query);
  }

  @Get(':externalId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
  ) {
    return this.customers.get(principal, dealerId, externalId);
  }

  /** Erases the person's data; see CustomersService.erase. */
  @Delete(':externalId')
  @HttpCode(204)
  @AuditedByHandler()
  erase(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('externalId', ExternalIdPipe) externalId: string,
  ) {
    return this.customers.erase(principal, dealerId, externalId);
  }
}
