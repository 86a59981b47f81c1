import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../../auth/principal';
import { PageQuery } from '../../common/pagination';
import { CreateUserDto } from './user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateUserDto) {
    return this.users.create(principal, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.users.list(principal, query);
  }
}
