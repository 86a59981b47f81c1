import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { CallListQueryDto, CallOutcomeDto } from './call-list.dto';
import { CallListsService } from './call-lists.service';

@ApiTags('call lists')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId')
export class CallListsController {
  constructor(private readonly callLists: CallListsService) {}

  /** The day's call list: who to call, on which number, about which vehicles and why, with the outcomes so far. */
  @Get('call-lists')
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: CallListQueryDto) {
    return this.callLists.list(principal, dealerId, query);
  }

  /** Records how a call went; `appointment` also books the appointment, which stops the reminders. */
  @Post('call-list-entries/:entryId/outcome')
  @HttpCode(201)
  record(
    @CurrentPrincipal() principal: Principal,
    @Param('dealerId', ParseIdPipe) dealerId: string,
    @Param('entryId', ParseIdPipe) entryId: string,
    @Body() body: CallOutcomeDto,
  ) {
    return this.callLists.record(principal, dealerId, entryId, body);
  }
}
