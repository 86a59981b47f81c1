import type { ServiceDefinition, TriggerDefinition } from '@forecourt/sdk';
import { Injectable, NotFoundException } from '@nestjs/common';
import { PluginRegistry } from '../../plugin-host/plugin-registry.service';

export interface CatalogEntry {
  key: string;
  name: string;
  description: string;
  pluginId: string;
  definition: ServiceDefinition;
}

/** The services and triggers the plugin host found, looked up by their names. */
@Injectable()
export class ServiceCatalog {
  constructor(private readonly registry: PluginRegistry) {}

  services(): CatalogEntry[] {
    return this.registry
      .list()
      .filter((p) => p.state === 'enabled' && p.definition?.kind === 'service')
      .map((p) => {
        const definition = p.definition as ServiceDefinition;
        return { key: definition.service, name: p.manifest!.displayName, description: p.manifest!.description, pluginId: p.id, definition };
      })
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  service(key: string): CatalogEntry {
    const entry = this.services().find((s) => s.key === key);
    if (!entry) throw new NotFoundException(`no service "${key}"`);
    return entry;
  }

  trigger(name: string): TriggerDefinition<any> | undefined {
    const plugin = this.registry
      .list()
      .find((p) => p.state === 'enabled' && p.definition?.kind === 'trigger' && p.definition.trigger === name);
    return plugin?.definition as TriggerDefinition<any> | undefined;
  }

  /** Every channel a service's flow may use, in the order its steps name them. */
  channelsOf(definition: ServiceDefinition): string[] {
    const names = new Set<string>();
    for (const step of definition.flow) {
      const list = Array.isArray(step.channels)
        ? step.channels
        : ((definition.settings.properties[step.channels.setting]?.items?.enum as string[] | undefined) ?? []);
      list.forEach((c) => names.add(c));
    }
    return [...names];
  }

  /** Schema defaults: what a dealer gets without settings of its own. */
  defaults(definition: ServiceDefinition): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(definition.settings.properties)
        .filter(([, p]) => p.default !== undefined)
        .map(([name, p]) => [name, p.default]),
    );
  }
}
