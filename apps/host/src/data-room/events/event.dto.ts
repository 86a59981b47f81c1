import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsObject, IsOptional, Matches } from 'class-validator';
import { EXTERNAL_ID_PATTERN } from '../../common/validators';

export class EventDto {
  @ApiProperty() @Matches(EXTERNAL_ID_PATTERN, { message: 'must be an external id' }) customerExternalId!: string;
  @ApiProperty({ example: 'test-drive' }) @Matches(/^[a-z][a-z0-9._-]{0,63}$/, { message: 'must be a lower-case event type such as test-drive' }) type!: string;
  @ApiPropertyOptional({ description: 'when it happened; default: now' }) @IsOptional() @IsISO8601({ strict: true }) at?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() properties?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'your id for the event; a repeat with the same id is ignored' })
  @IsOptional()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'must be an external id' })
  externalId?: string;
}
