import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CallListsModule } from './call-lists/call-lists.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { ConfigModule } from './config/config.module';
import { ForecourtConfig } from './config/forecourt-config';
import { DatabaseModule } from './database/database.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { DispatchHooksModule } from './dispatch-hooks/dispatch-hooks.module';
import { DataRoomModule } from './data-room/data-room.module';
import { HealthModule } from './health/health.module';
import { LettersModule } from './letters/letters.module';
import { NetworkModule } from './network/network.module';
import { RenderingModule } from './rendering/rendering.module';
import { ReportsModule } from './reports/reports.module';
import { PluginHostModule } from './plugin-host/plugin-host.module';
import { PreferencesModule } from './preferences/preferences.module';
import { SeedModule } from './seed/seed.module';
import { StudioModule } from './studio/studio.module';
import { TemplatesModule } from './templates/templates.module';
import { TrackingModule } from './tracking/tracking.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: ForecourtConfig, appDatabaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(appDatabaseUrl),
        AuthModule,
        AuditModule,
        HealthModule,
        NetworkModule,
        PluginHostModule,
        DataRoomModule,
        SeedModule,
        CampaignsModule,
        RenderingModule,
        LettersModule,
        DispatchModule,
        DispatchHooksModule,
        CallListsModule,
        TrackingModule,
        PreferencesModule,
        ReportsModule,
        TemplatesModule,
        StudioModule,
        WebhooksModule,
      ],
    };
  }
}
