import type { SettingsProperty, SettingsSchema } from '@forecourt/sdk';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { FieldError } from '../common/problem';

/**
 * One Ajv for plugin settings schemas: strict, so a misspelt keyword or a format nobody checks
 * disables the plugin at boot instead of silently accepting anything; `secret` and `env` are the
 * two keywords Forecourt adds. Defaults are never filled in: the host applies them when it reads.
 */
export const settingsAjv = new Ajv({
  allErrors: true,
  strictSchema: true,
  strictNumbers: true,
  strictRequired: true,
  strictTypes: false,
  strictTuples: false,
  useDefaults: false,
  logger: false,
  formats: {
    uri: (value: string) => {
      try {
        return Boolean(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    email: /^[^\s@]+@[^\s@]+$/,
  },
});
settingsAjv.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
settingsAjv.addKeyword({ keyword: 'env', schemaType: 'string', metaSchema: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' } });

/** `/properties/url/type` → `properties.url.type` */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

export function secretNames(schema: SettingsSchema | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, prop]) => prop.secret === true)
    .map(([name]) => name);
}

/** Why a plugin's settings schema cannot be used, each problem naming its place under `prefix`. */
export function settingsSchemaProblems(schema: SettingsSchema, prefix = 'forecourt.settings'): string[] {
  if (!settingsAjv.validateSchema(schema)) {
    // The meta-schema's anyOf answers several ways for one mistake: the first says it best.
    const byPlace = new Map<string, string>();
    for (const e of settingsAjv.errors ?? []) {
      const place = [prefix, dotted(e.instancePath)].filter(Boolean).join('.');
      if (!byPlace.has(place)) byPlace.set(place, `${place}: ${e.message}`);
    }
    return [...byPlace.values()];
  }
  try {
    settingsAjv.compile(schema);
  } catch (error) {
    return [`${prefix}: ${(error as Error).message.replace(' ignored in schema at path ', ' at ')}`];
  }
  const problems: string[] = [];
  const nestedSecrets = (prop: SettingsProperty, path: string) => {
    for (const [name, inner] of Object.entries(prop.properties ?? {})) {
      if (inner.secret) problems.push(`${path}.properties.${name}.secret: only top-level settings can be secret`);
      nestedSecrets(inner, `${path}.properties.${name}`);
    }
    if (prop.items) nestedSecrets(prop.items, `${path}.items`);
  };
  for (const [name, prop] of Object.entries(schema.properties)) {
    const path = `${prefix}.properties.${name}`;
    if (prop.secret && prop.type !== 'string') problems.push(`${path}.secret: a secret setting must be of type string`);
    if (prop.secret && prop.default !== undefined) problems.push(`${path}.default: a secret setting cannot have a default in the manifest (use env)`);
    nestedSecrets(prop, path);
    if (prop.default !== undefined && !settingsAjv.validate(prop, prop.default)) {
      problems.push(`${path}.default: ${settingsAjv.errors?.[0]?.message ?? 'is not a valid value'}`);
    }
  }
  return problems;
}

/**
 * A validator for a dealer's settings: unknown settings are refused by name, and a required
 * setting the host already supplies (a default, a host variable) need not be given again.
 */
export function compileDealerSettings(schema: SettingsSchema, suppliedByHost: string[]): ValidateFunction {
  return settingsAjv.compile({
    ...schema,
    additionalProperties: false,
    required: (schema.required ?? []).filter((name) => !suppliedByHost.includes(name)),
  });
}

/** Ajv's errors as the contract's `errors: [{ field: 'settings.host', message }]`. */
export function settingsErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const path = dotted(e.instancePath);
    if (e.keyword === 'required') {
      const name = (e.params as { missingProperty: string }).missingProperty;
      return { field: ['settings', path, name].filter(Boolean).join('.'), message: 'is required' };
    }
    if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      return { field: ['settings', path, name].filter(Boolean).join('.'), message: path ? 'is not a known field' : 'is not a setting of this plugin' };
    }
    return { field: ['settings', path].filter(Boolean).join('.'), message: e.message ?? 'is invalid' };
  });
}
