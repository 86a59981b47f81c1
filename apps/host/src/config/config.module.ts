import { DynamicModule, Global, Module } from '@nestjs/common';
import { FORECOURT_CONFIG, ForecourtConfig } from './forecourt-config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ForecourtConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: FORECOURT_CONFIG, useValue: config }], exports: [FORECOURT_CONFIG] };
  }
}
