import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Role, ROLES } from '../../auth/principal';

export class CreateUserDto {
  @ApiProperty() @IsEmail() email!: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MinLength(10) @MaxLength(200) password!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES as unknown as string[]) role!: Role;
  @ApiPropertyOptional({ type: [String], description: 'for brand-admin' }) @IsOptional() @IsUUID('all', { each: true }) brandIds?: string[];
  @ApiPropertyOptional({ description: 'for dealer-admin and dealer-user' }) @IsOptional() @IsUUID() dealerId?: string;
}
