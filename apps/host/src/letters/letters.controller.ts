import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ParseIdPipe } from '../common/id.pipe';
import { PageQuery } from '../common/pagination';
import { IsIsoDate } from '../common/validators';
import { LettersService } from './letters.service';

export class LetterBatchQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'first print day, YYYY-MM-DD' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'last print day, YYYY-MM-DD' })
  @IsOptional()
  @IsIsoDate()
  to?: string;
}

/** A quoted filename for Content-Disposition, with a UTF-8 form beside the ASCII one. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

@ApiTags('letters')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api')
export class LettersController {
  constructor(private readonly letters: LettersService) {}

  /** The dealer's print files, newest day first: one per day with the letters of that day. */
  @Get('dealers/:dealerId/letter-batches')
  list(@CurrentPrincipal() principal: Principal, @Param('dealerId', ParseIdPipe) dealerId: string, @Query() query: LetterBatchQueryDto) {
    return this.letters.list(principal, dealerId, query);
  }

  /** The print file itself; only the caller's own dealer's files exist for it. */
  @Get('letter-batches/:batchId/pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'the print file', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  async pdf(@CurrentPrincipal() principal: Principal, @Param('batchId', ParseIdPipe) batchId: string) {
    const { fileName, content } = await this.letters.pdf(principal, batchId);
    return new StreamableFile(content, { type: 'application/pdf', disposition: attachment(fileName), length: content.length });
  }
}
