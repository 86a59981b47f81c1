/** The SDK's own version; a plugin's manifest names the range it needs in `sdk`. */
export const SDK_VERSION = '1.1.0';

export type PluginKind = 'channel' | 'trigger' | 'service';

/**
 * JSON Schema (draft-07) for a plugin's settings, checked by the host at boot: unknown keywords
 * and formats disable the plugin with the reason, and so does a default its property refuses.
 * A top-level string property with `secret: true` is encrypted at rest, never returned by the
 * API and never logged.
 */
export interface SettingsSchema {
  type: 'object';
  properties: Record<string, SettingsProperty>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface SettingsProperty {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** `uri` or `email`; other formats are refused at boot, as the host would not check them. */
  format?: 'uri' | 'email';
  items?: SettingsProperty;
  properties?: Record<string, SettingsProperty>;
  /** Only on top-level string properties. */
  secret?: boolean;
  /** A host environment variable that supplies the default (e.g. SMTP_URL); read by the host, never by the plugin. */
  env?: string;
}

/**
 * The `forecourt` block of a plugin's package.json. The plugin's version is the package's
 * `version`; `id` starts with its kind (channel-, trigger-, service-).
 */
export interface PluginManifest {
  id: string;
  kind: PluginKind;
  version: string;
  /** Semver range of the SDK the plugin was written for, e.g. "^1.0.0". */
  sdk: string;
  displayName: string;
  description: string;
  settings?: SettingsSchema;
}
