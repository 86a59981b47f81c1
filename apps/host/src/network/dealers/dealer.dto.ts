import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize, IsArray, IsEmail, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested,
  registerDecorator, ValidationOptions,
} from 'class-validator';
import { KEY_PATTERN } from '../brands/brand.dto';

export const LOCALE_PATTERN = /^(nl|de|en)(-[A-Z]{2})?$/;
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

export function IsTimeZone(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName,
      options: { message: 'must be an IANA time zone such as Europe/Amsterdam', ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          try {
            new Intl.DateTimeFormat('en', { timeZone: value });
            return value.includes('/') || value === 'UTC';
          } catch {
            return false;
          }
        },
      },
    });
}

export class AddressDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) street!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(20) postalCode!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) city!: string;
  @ApiProperty({ example: 'NL', description: 'ISO 3166-1 alpha-2' })
  @Matches(/^[A-Z]{2}$/, { message: 'must be a two-letter country code such as NL' })
  country!: string;
}

export class CreateDealerDto {
  @ApiProperty({ example: 'autohuis-utrecht' })
  @Matches(KEY_PATTERN, { message: 'must be lower-case letters, digits and dashes' })
  key!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: [String] }) @IsArray() @ArrayMinSize(1) @IsUUID('all', { each: true }) brandIds!: string[];
  @ApiProperty({ example: 'Europe/Amsterdam' }) @IsTimeZone() timezone!: string;
  @ApiProperty({ example: 'nl' }) @Matches(LOCALE_PATTERN, { message: 'must be nl, de or en (optionally with region, e.g. nl-NL)' }) locale!: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional({ example: '+31301234567' }) @IsOptional() @Matches(E164_PATTERN, { message: 'must be an E.164 number such as +31301234567' }) phone?: string;
  @ApiPropertyOptional({ type: AddressDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AddressDto) address?: AddressDto;
  @ApiPropertyOptional({ description: 'name shown as the sender of messages' }) @IsOptional() @IsString() @MaxLength(200) senderName?: string;
  @ApiPropertyOptional({ description: 'address messages are sent from' }) @IsOptional() @IsEmail() senderEmail?: string;
}

export class UpdateDealerDto extends PartialType(CreateDealerDto) {}

