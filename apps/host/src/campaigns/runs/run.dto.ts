import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { IsIsoDate } from '../../common/validators';

export class StartRunDto {
  @ApiProperty({ example: '2026-12-01', description: 'the day the run acts for; a past or future day is simulated faithfully' })
  @IsIsoDate()
  asOf!: string;

  @ApiPropertyOptional({ type: [String], description: 'default: every dealer the caller may run' })
  @IsOptional()
  @IsArray()
  @IsUUID('all', { each: true })
  dealerIds?: string[];

  @ApiPropertyOptional({ description: 'plan and price without writing or sending anything' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'answer only after the messages were dispatched' })
  @IsOptional()
  @IsBoolean()
  wait?: boolean;
}
