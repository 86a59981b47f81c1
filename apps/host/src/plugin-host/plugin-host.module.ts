import { Global, Module } from '@nestjs/common';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { PluginInstallationRepository } from './plugin-installation.repository';
import { PluginInstallationsController } from './plugin-installations.controller';
import { PluginInstallationsService } from './plugin-installations.service';
import { PluginRegistry } from './plugin-registry.service';
import { PluginsController } from './plugins.controller';
import { SecretBox } from './secret-box';

/** Discovery, manifest validation, the registry of plugins, per-dealer installations and provider clients. */
@Global()
@Module({
  controllers: [PluginsController, PluginInstallationsController],
  providers: [
    PluginRegistry,
    PluginInstallationsService,
    PluginInstallationRepository,
    { provide: SecretBox, useFactory: (config: ForecourtConfig) => new SecretBox(deriveKey(config, 'plugin-secrets')), inject: [FORECOURT_CONFIG] },
  ],
  exports: [PluginRegistry],
})
export class PluginHostModule {}
