import { SDK_VERSION } from '@forecourt/sdk';
import semver from 'semver';

const KINDS = ['channel', 'trigger', 'service'];

/** Why a manifest cannot be used, naming the field; undefined when it can. */
export function manifestProblem(manifest: unknown): string | undefined {
  const m = manifest as Record<string, unknown>;
  if (!m || typeof m !== 'object') return 'forecourt: must be an object';
  if (typeof m.kind !== 'string' || !KINDS.includes(m.kind)) return `forecourt.kind: must be one of ${KINDS.join(', ')}`;
  if (typeof m.id !== 'string' || !new RegExp(`^${m.kind}-[a-z0-9]+(-[a-z0-9]+)*$`).test(m.id)) {
    return `forecourt.id: must be kebab-case and start with "${m.kind}-"`;
  }
  if (typeof m.version !== 'string' || !semver.valid(m.version)) return 'version: must be a semantic version';
  if (typeof m.sdk !== 'string' || !semver.validRange(m.sdk)) return 'forecourt.sdk: must be a semver range such as ^1.0.0';
  if (!semver.satisfies(SDK_VERSION, m.sdk)) return `forecourt.sdk: needs SDK ${m.sdk}, the host provides ${SDK_VERSION}`;
  if (typeof m.displayName !== 'string' || !m.displayName) return 'forecourt.displayName: is required';
  if (typeof m.description !== 'string') return 'forecourt.description: is required';
  if (m.settings !== undefined) {
    const s = m.settings as Record<string, unknown>;
    if (!s || s.type !== 'object' || typeof s.properties !== 'object') {
      return 'forecourt.settings: must be a JSON Schema of type object with properties';
    }
  }
  return undefined;
}
