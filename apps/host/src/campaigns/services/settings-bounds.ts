import type { SettingsProperty, SettingsSchema } from '@forecourt/sdk';
import Ajv, { ValidateFunction } from 'ajv';
import { FieldError } from '../../common/problem';

/** What a brand may fix for a dealer setting: a narrower range, or fewer allowed values. */
export interface SettingBound {
  minimum?: number;
  maximum?: number;
  /** For a list setting (channels): the values dealers may choose from. */
  allowed?: unknown[];
}

export type SettingsBounds = Record<string, SettingBound>;

/** Checks a brand's bounds against the service's schema; problems name `settingsBounds.<setting>`. */
export function boundsProblems(schema: SettingsSchema, bounds: SettingsBounds): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, bound] of Object.entries(bounds)) {
    const field = `settingsBounds.${name}`;
    const prop = schema.properties[name];
    if (!prop) {
      errors.push({ field, message: `the service has no setting "${name}"` });
      continue;
    }
    if (bound === null || typeof bound !== 'object') {
      errors.push({ field, message: 'must be an object with minimum, maximum or allowed' });
      continue;
    }
    const unknown = Object.keys(bound).filter((k) => !['minimum', 'maximum', 'allowed'].includes(k));
    if (unknown.length) errors.push({ field: `${field}.${unknown[0]}`, message: 'is not a bound (use minimum, maximum or allowed)' });
    const numeric = prop.type === 'integer' || prop.type === 'number';
    for (const key of ['minimum', 'maximum'] as const) {
      const value = bound[key];
      if (value === undefined) continue;
      if (!numeric) errors.push({ field: `${field}.${key}`, message: `"${name}" is not a number setting` });
      else if (typeof value !== 'number') errors.push({ field: `${field}.${key}`, message: 'must be a number' });
      else if ((prop.minimum !== undefined && value < prop.minimum) || (prop.maximum !== undefined && value > prop.maximum)) {
        errors.push({ field: `${field}.${key}`, message: `must be within ${prop.minimum ?? '-∞'}..${prop.maximum ?? '∞'}` });
      }
    }
    if (typeof bound.minimum === 'number' && typeof bound.maximum === 'number' && bound.minimum > bound.maximum) {
      errors.push({ field: `${field}.minimum`, message: 'must not be above maximum' });
    }
    if (bound.allowed !== undefined) {
      const universe = prop.items?.enum ?? prop.enum;
      if (!Array.isArray(bound.allowed) || !bound.allowed.length) errors.push({ field: `${field}.allowed`, message: 'must be a non-empty list' });
      else if (!universe) errors.push({ field: `${field}.allowed`, message: `"${name}" has no fixed set of values` });
      else {
        const stray = bound.allowed.find((v) => !universe.includes(v));
        if (stray !== undefined) errors.push({ field: `${field}.allowed`, message: `"${String(stray)}" is not a value of ${name}` });
      }
    }
  }
  return errors;
}

/** The service's schema narrowed by every applicable brand's bounds (a dealer selling two brands meets both). */
export function boundedSchema(schema: SettingsSchema, boundsList: SettingsBounds[]): SettingsSchema {
  const properties: Record<string, SettingsProperty> = JSON.parse(JSON.stringify(schema.properties));
  for (const bounds of boundsList) {
    for (const [name, bound] of Object.entries(bounds)) {
      const prop = properties[name];
      if (!prop) continue;
      if (bound.minimum !== undefined) prop.minimum = Math.max(prop.minimum ?? -Infinity, bound.minimum);
      if (bound.maximum !== undefined) prop.maximum = Math.min(prop.maximum ?? Infinity, bound.maximum);
      if (bound.allowed) {
        if (prop.items?.enum) prop.items = { ...prop.items, enum: prop.items.enum.filter((v) => bound.allowed!.includes(v)) };
        else if (prop.enum) prop.enum = prop.enum.filter((v) => bound.allowed!.includes(v));
      }
    }
  }
  return { ...schema, properties };
}

const ajv = new Ajv({ allErrors: true, strict: false });
// Bounded schemas are built per request; Ajv caches by object identity and would compile (and
// keep) a new validator every time, so validators are kept by the schema's text instead.
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: SettingsSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    if (validators.size > 500) validators.clear();
    validate = ajv.compile({ ...schema, additionalProperties: false });
    ajv.removeSchema();
    validators.set(key, validate);
  }
  return validate;
}

/** Validates dealer settings against a (bounded) schema; problems name `settings.<setting>`. */
export function settingsProblems(schema: SettingsSchema, settings: Record<string, unknown>): FieldError[] {
  const validate = validatorFor(schema);
  if (validate(settings)) return [];
  return (validate.errors ?? []).map((e) => {
    const path = e.instancePath.replace(/^\//, '').split('/')[0];
    const name = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : path;
    const message = e.keyword === 'additionalProperties' ? 'is not a setting of this service' : (e.message ?? 'is invalid');
    return { field: name ? `settings.${name}` : 'settings', message };
  });
}
