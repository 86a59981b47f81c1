import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantDb } from './tenant-db.service';

@Global()
@Module({})
export class DatabaseModule {
  /** Connects as the application role; the schema was migrated by the owner before Nest started. */
  static forRoot(appUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: appUrl,
          autoLoadEntities: true,
          synchronize: false,
          migrationsRun: false,
          extra: { max: 20 },
        }),
      ],
      providers: [TenantDb],
      exports: [TenantDb],
    };
  }
}
