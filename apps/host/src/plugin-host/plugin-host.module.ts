import { Global, Module } from '@nestjs/common';
import { PluginRegistry } from './plugin-registry.service';
import { PluginsController } from './plugins.controller';

/** Discovery, manifest validation, the registry of plugins and per-dealer provider clients. */
@Global()
@Module({ controllers: [PluginsController], providers: [PluginRegistry], exports: [PluginRegistry] })
export class PluginHostModule {}
