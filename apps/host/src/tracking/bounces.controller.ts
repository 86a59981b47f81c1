import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { BounceReportDto } from './bounce.dto';
import { BouncesService } from './bounces.service';

@ApiTags('tracking')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/dealers/:dealerId')
export class BouncesController {
  constructor(private readonly bounces: BouncesService) {}

  @Post('email-bounces')
  @HttpCode(200)
  @ApiOperation({ summary: "Reports emails of the dealer's that bounced after they were sent; each becomes bounced, once" })
  @ApiOkResponse({ description: '{applied, recorded, duplicates, unmatched}: moved to bounced, recorded without moving (further already), seen before, not an email of this dealer' })
  report(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Body() body: BounceReportDto) {
    return this.bounces.report(principal, dealerId, body);
  }
}
