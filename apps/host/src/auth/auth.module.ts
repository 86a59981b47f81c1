import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbilityFactory } from './ability.factory';
import { AccessPolicy } from './access.policy';
import { ApiKey } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

/** Logins, API keys and the CASL rules; the guard runs on every route not marked @Public(). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey])],
  controllers: [AuthController, ApiKeysController],
  providers: [AbilityFactory, AccessPolicy, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AbilityFactory, AccessPolicy, AuthService],
})
export class AuthModule {}
