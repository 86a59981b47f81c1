import { SDK_VERSION, SettingsSchema } from '@forecourt/sdk';
import Ajv, { ErrorObject } from 'ajv';
import semver from 'semver';
import { settingsSchemaProblems } from './settings.validation';

const KINDS = ['channel', 'trigger', 'service'];

/**
 * The `forecourt` block of a plugin's package.json, with the package's `version` merged in.
 * Unknown fields are refused, so a misspelt one ("setting") is named instead of ignored.
 */
const MANIFEST_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: '^(channel|trigger|service)-[a-z0-9]+(-[a-z0-9]+)*$' },
    kind: { type: 'string', enum: KINDS },
    version: { type: 'string' },
    sdk: { type: 'string', minLength: 1 },
    displayName: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    settings: {
      type: 'object',
      properties: { type: { const: 'object' }, properties: { type: 'object' } },
      required: ['type', 'properties'],
    },
  },
  required: ['id', 'kind', 'version', 'sdk', 'displayName', 'description'],
  additionalProperties: false,
};

const validateManifest = new Ajv({ allErrors: true, strict: true, logger: false }).compile(MANIFEST_SCHEMA);

/** `version` is the package's own; everything else lives in the `forecourt` block. */
function fieldOf(name: string): string {
  return name === 'version' ? 'version' : `forecourt.${name}`;
}

function describe(error: ErrorObject): string {
  const [name, ...rest] = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') return `${fieldOf((error.params as { missingProperty: string }).missingProperty)}: is required`;
  if (error.keyword === 'additionalProperties') {
    return `forecourt.${(error.params as { additionalProperty: string }).additionalProperty}: is not a manifest field`;
  }
  const field = [fieldOf(name), ...rest].join('.');
  if (name === 'id' && error.keyword === 'pattern') return `${field}: must be kebab-case and start with its kind (channel-, trigger- or service-)`;
  if (name === 'kind' && error.keyword === 'enum') return `${field}: must be one of ${KINDS.join(', ')}`;
  if (name === 'settings' && !rest.length && error.keyword === 'type') return `${field}: must be a JSON Schema of type object with properties`;
  return `${field}: ${error.message}`;
}

/** Why a manifest cannot be used, naming the field (several problems joined by "; "); undefined when it can. */
export function manifestProblem(manifest: unknown): string | undefined {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return 'forecourt: must be an object';
  if (!validateManifest(manifest)) return [...new Set((validateManifest.errors ?? []).map(describe))].join('; ');
  const m = manifest as { id: string; kind: string; version: string; sdk: string; settings?: SettingsSchema };
  if (!m.id.startsWith(`${m.kind}-`)) return `forecourt.id: must start with "${m.kind}-" for a ${m.kind} plugin`;
  if (!semver.valid(m.version)) return 'version: must be a semantic version';
  if (!semver.validRange(m.sdk)) return 'forecourt.sdk: must be a semver range such as ^1.0.0';
  if (!semver.satisfies(SDK_VERSION, m.sdk)) return `forecourt.sdk: needs SDK ${m.sdk}, the host provides ${SDK_VERSION}`;
  if (m.settings) {
    const problems = settingsSchemaProblems(m.settings);
    if (problems.length) return problems.join('; ');
  }
  return undefined;
}
