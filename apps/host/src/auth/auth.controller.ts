import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { userView } from '../network/users/user.view';
import { AuthService } from './auth.service';
import { CurrentPrincipal, Principal, Public } from './principal';

export class LoginDto {
  @ApiProperty() @IsEmail() email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Ip() ip: string) {
    const { accessToken, user } = await this.auth.login(body.email, body.password, ip);
    return { accessToken, user: userView(user) };
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}
