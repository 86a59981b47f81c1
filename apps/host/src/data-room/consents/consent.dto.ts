import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { EXTERNAL_ID_PATTERN } from '../../common/validators';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, ConsentChannel, ConsentPurpose } from './consent.entity';

export class ConsentDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS as unknown as string[]) channel!: ConsentChannel;
  @ApiProperty({ enum: CONSENT_PURPOSES }) @IsIn(CONSENT_PURPOSES as unknown as string[]) purpose!: ConsentPurpose;
  @ApiPropertyOptional({ description: 'only this vehicle; absent: every vehicle' })
  @IsOptional()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'must be an external id' })
  vehicleExternalId?: string;
  @ApiProperty() @IsBoolean() granted!: boolean;
  @ApiProperty({ example: 'dms-import' }) @IsString() @MinLength(1) @MaxLength(100) source!: string;
  @ApiPropertyOptional({ description: 'when the customer acted (ISO-8601); default: now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
  @ApiPropertyOptional({ description: 'the privacy notice the customer saw' }) @IsOptional() @IsString() @MaxLength(100) noticeVersion?: string;
}
