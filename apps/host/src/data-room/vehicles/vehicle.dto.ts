import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { EXTERNAL_ID_PATTERN, IsIsoDate } from '../../common/validators';

export class VehicleDto {
  @ApiProperty() @Matches(EXTERNAL_ID_PATTERN, { message: 'must be an external id (letters, digits, . _ : - /)' }) customerExternalId!: string;
  @ApiProperty({ description: "the brand's id (or its key)" }) @IsString() @MinLength(1) @MaxLength(100) brandId!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) model?: string;
  @ApiPropertyOptional({ example: 'GX-123-B' }) @IsOptional() @IsString() @MaxLength(20) licensePlate?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[A-HJ-NPR-Z0-9]{11,17}$/i, { message: 'must be a VIN (11 to 17 letters and digits, no I, O or Q)' }) vin?: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoDate() registrationDate?: string;
  @ApiPropertyOptional({ description: 'APK / HU due date' }) @IsOptional() @IsIsoDate() inspectionDueDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsIsoDate() nextServiceDate?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(5_000_000) mileageKm?: number;
  @ApiPropertyOptional() @IsOptional() @IsIsoDate() warrantyEndDate?: string;
}
