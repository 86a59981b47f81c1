import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { PageQuery } from '../../common/pagination';
import { CreateDealerDto, UpdateDealerDto } from './dealer.dto';
import { DealersService } from './dealers.service';

@ApiTags('dealers')
@ApiBearerAuth()
@Controller('api/dealers')
export class DealersController {
  constructor(private readonly dealers: DealersService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateDealerDto) {
    return this.dealers.create(principal, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.dealers.list(principal, query);
  }

  @Get(':dealerId')
  get(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) id: string) {
    return this.dealers.get(principal, id);
  }

  @Patch(':dealerId')
  update(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) id: string, @Body() body: UpdateDealerDto) {
    return this.dealers.update(principal, id, body);
  }
}
