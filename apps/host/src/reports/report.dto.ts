import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsIsoDate } from '../common/validators';

export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'first day, YYYY-MM-DD; default: the Monday 11 ISO weeks before the week of `to`' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'last day, YYYY-MM-DD, at most two years after `from`; default today (UTC)' })
  @IsOptional()
  @IsIsoDate()
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the rows as CSV, as with Accept: text/csv' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'must be json or csv' })
  format?: 'json' | 'csv';
}
