import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { ThemeDto } from '../network/brands/brand.dto';
import { PageQuery } from '../common/pagination';
import { SUPPORTED_LOCALES } from '../rendering/template-source';
import { CHANNEL_FORMATS } from './template-formats';

/** Room for a long email with inline styles; a template is not the place for images (link them). */
export const MAX_BODY = 500_000;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

class PartialThemeDto extends PartialType(ThemeDto) {}

export class SaveTemplateDto {
  @ApiProperty({ description: 'MJML (email), paged HTML (letter) or text (SMS, call list); sanitised on save' })
  @IsString()
  @MaxLength(MAX_BODY)
  body!: string;

  @ApiPropertyOptional({ description: 'Liquid for the subject line (email, letter); null removes it' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  subject?: string | null;

  @ApiPropertyOptional({ description: 'slots opened to dealers: [{name, kind: text|rich-text|image, maxLength?, label?}]; each marked in the body' })
  @IsOptional()
  @IsArray()
  slots?: unknown[];
}

export class CreateTemplateDto extends SaveTemplateDto {
  @ApiProperty({ example: 'inspection-reminder' }) @Matches(NAME, { message: 'must be lower-case letters, digits and dashes' }) service!: string;
  @ApiProperty({ example: 'invite' }) @Matches(NAME, { message: 'must be lower-case letters, digits and dashes' }) step!: string;
  @ApiProperty({ enum: Object.keys(CHANNEL_FORMATS) }) @IsIn(Object.keys(CHANNEL_FORMATS)) channel!: string;
  @ApiProperty({ enum: SUPPORTED_LOCALES }) @IsIn([...SUPPORTED_LOCALES]) locale!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

export class RollbackDto {
  @ApiProperty({ description: 'the published version to restore (as a new version)' }) @IsInt() @Min(1) version!: number;
}

export class PreviewDto {
  @ApiProperty({ description: "the brand whose theme the preview wears" }) @IsString() brandId!: string;
  @ApiPropertyOptional({ description: 'a dealer: its details and its slot values' }) @IsOptional() @IsString() dealerId?: string;
  @ApiPropertyOptional({ description: 'a key from GET /api/templates/samples; its language picks the master of that language' }) @IsOptional() @IsString() sample?: string;
  @ApiPropertyOptional({ description: 'merge data to use instead of a sample' }) @IsOptional() @IsObject() data?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'unsaved markup to preview (brand and network admins)' }) @IsOptional() @IsString() @MaxLength(MAX_BODY) body?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) subject?: string;
  @ApiPropertyOptional({ description: 'slot values to preview instead of the saved ones' }) @IsOptional() @IsObject() slots?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'admins preview the draft unless this is false' }) @IsOptional() @IsBoolean() draft?: boolean;
  @ApiPropertyOptional({ type: ThemeDto, description: "theme values to try before saving them (the theme editor's preview); laid over the brand's theme" })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PartialThemeDto)
  theme?: PartialThemeDto;
}

export class DealerSlotsDto {
  @ApiPropertyOptional({ description: 'slot name → content; an empty string or null returns the slot to the brand\'s text' })
  @IsOptional()
  @IsObject()
  slots?: Record<string, unknown>;

  @ApiPropertyOptional({ description: "the whole template as the dealer's editor has it: refused (403) when anything outside the open slots differs from the brand's" })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BODY)
  body?: string;
}

export class TemplateListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() service?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() locale?: string;
}
