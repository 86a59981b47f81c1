import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthService } from './auth.service';
import { IS_PUBLIC } from './principal';

/** Global guard: every route needs a bearer token or an API key unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest();
    const apiKey = request.headers['x-api-key'];
    const authorization: string | undefined = request.headers.authorization;
    if (typeof apiKey === 'string' && apiKey) {
      request.principal = await this.auth.principalFromApiKey(apiKey);
    } else if (authorization?.startsWith('Bearer ')) {
      request.principal = await this.auth.principalFromToken(authorization.slice('Bearer '.length).trim());
    } else {
      throw new UnauthorizedException('log in (Authorization: Bearer <token>) or send X-Api-Key');
    }
    return true;
  }
}
