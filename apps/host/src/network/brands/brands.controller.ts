import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { ParseIdPipe } from '../../common/id.pipe';
import { PageQuery } from '../../common/pagination';
import { CreateBrandDto, UpdateBrandDto } from './brand.dto';
import { BrandsService } from './brands.service';

@ApiTags('brands')
@ApiBearerAuth()
@Controller('api/brands')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateBrandDto) {
    return this.brands.create(principal, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.brands.list(principal, query);
  }

  @Get(':brandId')
  get(@CurrentPrincipal() principal: Principal, @Param('brandId', ParseIdPipe) id: string) {
    return this.brands.get(principal, id);
  }

  @Patch(':brandId')
  update(@CurrentPrincipal() principal: Principal, @Param('brandId', ParseIdPipe) id: string, @Body() body: UpdateBrandDto) {
    return this.brands.update(principal, id, body);
  }
}
