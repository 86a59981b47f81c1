import { ChannelDefinition } from './channel';
import { ServiceDefinition } from './service';
import { TriggerDefinition } from './trigger';

export * from './manifest';
export * from './context';
export * from './channel';
export * from './trigger';
export * from './service';
export * from './errors';
export * from './dates';
export * from './letters';
export * from './testing';

export type PluginDefinition = ChannelDefinition<any> | TriggerDefinition<any> | ServiceDefinition;

/** A channel plugin's default export. */
export function defineChannel<Settings = Record<string, unknown>>(
  definition: Omit<ChannelDefinition<Settings>, 'kind'>,
): ChannelDefinition<Settings> {
  return { kind: 'channel', ...definition };
}

/** A trigger plugin's default export. */
export function defineTrigger<Settings = Record<string, unknown>>(
  definition: Omit<TriggerDefinition<Settings>, 'kind'>,
): TriggerDefinition<Settings> {
  return { kind: 'trigger', ...definition };
}

/** A service plugin's default export. */
export function defineService(definition: Omit<ServiceDefinition, 'kind'>): ServiceDefinition {
  return { kind: 'service', ...definition };
}
