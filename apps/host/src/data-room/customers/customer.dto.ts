import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested,
} from 'class-validator';
import { IsIsoDate } from '../../common/validators';
import { AddressDto, E164_PATTERN, LOCALE_PATTERN } from '../../network/dealers/dealer.dto';

const E164_MESSAGE = 'must be an E.164 number such as +31612345678';

export class ContactPersonDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) lastName?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() email?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(E164_PATTERN, { message: E164_MESSAGE }) phone?: string;
  @ApiPropertyOptional({ example: 'fleet manager' }) @IsOptional() @IsString() @MaxLength(100) role?: string;
}

export class CustomerDto {
  @ApiProperty({ enum: ['person', 'company'] }) @IsIn(['person', 'company']) kind!: 'person' | 'company';
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) firstName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(100) lastName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(1) @MaxLength(200) companyName?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ example: '+31612345678' }) @IsOptional() @Matches(E164_PATTERN, { message: E164_MESSAGE }) phone?: string;
  @ApiPropertyOptional({ type: AddressDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => AddressDto) address?: AddressDto;
  @ApiPropertyOptional({ example: '1980-04-23' }) @IsOptional() @IsIsoDate() birthDate?: string;
  @ApiPropertyOptional({ example: 'nl' }) @IsOptional() @Matches(LOCALE_PATTERN, { message: 'must be nl, de or en' }) locale?: string;
  @ApiPropertyOptional({ type: [ContactPersonDto], description: 'contact people of a company, e.g. its fleet manager' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactPersonDto)
  contacts?: ContactPersonDto[];
}
