import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
export const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class ThemeDto {
  @ApiProperty({ example: '#0b5fff' }) @Matches(HEX_COLOR, { message: 'must be a colour like #0b5fff' }) primaryColor!: string;
  @ApiPropertyOptional() @IsOptional() @Matches(HEX_COLOR, { message: 'must be a colour like #0b5fff' }) secondaryColor?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) fontFamily?: string;
  @ApiPropertyOptional({ description: 'an http(s) URL, or a data:image/… URL for an inline logo' })
  @IsOptional()
  @Matches(/^(https?:\/\/\S+|data:image\/(png|jpeg|gif|webp|svg\+xml)(;[a-z0-9=-]+)*(;base64)?,\S+)$/i, {
    message: 'must be an http(s) URL or a data:image/… URL',
  })
  @MaxLength(200_000)
  logoUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) footerHtml?: string;
}

export class CreateBrandDto {
  @ApiProperty({ example: 'vela' })
  @Matches(KEY_PATTERN, { message: 'must be lower-case letters, digits and dashes' })
  key!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ type: ThemeDto }) @IsObject() @ValidateNested() @Type(() => ThemeDto) theme!: ThemeDto;
}

export class UpdateBrandDto extends PartialType(CreateBrandDto) {}
