import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { WEBHOOK_EVENT_TYPES } from './consent-events';

export class CreateWebhookDto {
  @ApiProperty({ description: 'where events are POSTed; http or https', example: 'https://crm.example.com/forecourt/webhook' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, default: ['consent.changed'] })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(10)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: string[];

  @ApiPropertyOptional({ description: 'what the endpoint is for, e.g. "CRM sync"' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit = 50;
}

export class ConsentEventsQuery {
  @ApiPropertyOptional({ description: 'the last event id already read; events after it come next (ids are time ordered)' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}

export class ConsentFeedDto {
  @ApiProperty({ description: 'record consent events for the pull feed also while the dealer has no webhook endpoint' })
  @IsBoolean()
  enabled!: boolean;
}
