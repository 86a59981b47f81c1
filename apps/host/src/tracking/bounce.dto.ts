import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length, MaxLength, IsOptional, ValidateNested } from 'class-validator';

export class BounceDto {
  @ApiProperty({ description: "the message's id, or the Message-ID of the email as sent (a bounce report quotes it)", example: '<0192f1c4-…@dealer.example>' })
  @IsString()
  @Length(1, 500)
  messageId!: string;

  @ApiPropertyOptional({ description: "the bounce's status and diagnostic, e.g. 5.1.1 mailbox unknown" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class BounceReportDto {
  @ApiProperty({ type: [BounceDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => BounceDto)
  bounces!: BounceDto[];
}
