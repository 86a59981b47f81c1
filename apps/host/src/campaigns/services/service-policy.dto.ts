import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { SettingsBounds } from './settings-bounds';

export class ServicePolicyDto {
  @ApiProperty({ enum: ['optional', 'mandatory', 'unavailable'] })
  @IsIn(['optional', 'mandatory', 'unavailable'])
  mode!: 'optional' | 'mandatory' | 'unavailable';

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'share of the cost the brand pays, for messages about its vehicles' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  subsidyPercent?: number;

  @ApiPropertyOptional({ example: { leadTimeDays: { minimum: 28, maximum: 56 }, channels: { allowed: ['email', 'letter'] } } })
  @IsOptional()
  @IsObject()
  settingsBounds?: SettingsBounds;
}

export class SubscriptionDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;

  @ApiPropertyOptional({ description: 'euro cents per month; absent: no limit' })
  @IsOptional()
  @IsInt()
  @Min(0)
  monthlyBudgetCents?: number;

  @ApiPropertyOptional({ description: "the service's settings, within the brand's bounds" })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}
