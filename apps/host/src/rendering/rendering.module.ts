import { Global, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { deriveKey, FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { PLUGIN_RENDERER } from '../plugin-host/plugin-registry.service';
import { HostRenderer } from './host.renderer';
import { LinkTokens } from './link-tokens';
import { NetworkDirectory } from './network-directory';
import { RenderingService } from './rendering.service';
import { TEMPLATE_SOURCE } from './template-source';
import { DbTemplateSource } from '../templates/db-template.source';

/**
 * Templates, their compile cache and the per-recipient merge (RenderingService, for dispatch),
 * the renderer plugins get (PLUGIN_RENDERER), and the signed link tokens messages carry.
 * TEMPLATE_SOURCE is the published masters in the database (the shipped files are imported at boot).
 */
@Global()
@Module({
  providers: [
    RenderingService,
    NetworkDirectory,
    DbTemplateSource,
    { provide: TEMPLATE_SOURCE, useExisting: DbTemplateSource },
    { provide: LinkTokens, useFactory: (config: ForecourtConfig) =>
        new LinkTokens(deriveKey(config, 'links'), { preferencesKey: deriveKey(config, 'preferences'), preferenceDays: config.preferenceLinkDays }), inject: [FORECOURT_CONFIG] },
    { provide: PLUGIN_RENDERER, useFactory: () => new HostRenderer() },
  ],
  exports: [RenderingService, LinkTokens, NetworkDirectory, DbTemplateSource, TEMPLATE_SOURCE, PLUGIN_RENDERER],
})
export class RenderingModule implements OnModuleDestroy {
  constructor(@Inject(PLUGIN_RENDERER) private readonly pluginRenderer: HostRenderer) {}

  onModuleDestroy(): void {
    this.pluginRenderer.close();
  }
}
