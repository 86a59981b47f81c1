import type { SettingsSchema } from '@forecourt/sdk';
import { hostSettings, secretRedactor } from './plugin-registry.service';

const schema: SettingsSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', env: 'HOOK_URL', secret: true },
    port: { type: 'integer', default: 25, env: 'HOOK_PORT' },
    tls: { type: 'boolean', env: 'HOOK_TLS' },
    name: { type: 'string', default: 'forecourt' },
  },
};

describe('hostSettings', () => {
  it('takes schema defaults, then the host variables the schema names, read as their type', () => {
    expect(hostSettings(schema, {})).toEqual({ port: 25, name: 'forecourt' });
    expect(hostSettings(schema, { HOOK_URL: 'smtp://u:p@mail', HOOK_PORT: '587', HOOK_TLS: 'true' })).toEqual({
      url: 'smtp://u:p@mail',
      port: 587,
      tls: true,
      name: 'forecourt',
    });
    expect(hostSettings(schema, { HOOK_PORT: 'many', HOOK_TLS: '' })).toEqual({ port: 'many', name: 'forecourt' });
  });
});

describe('secretRedactor', () => {
  it('hides the value of every secret setting, and nothing else', () => {
    const redact = secretRedactor(schema, { url: 'smtp://u:pa55word@mail', name: 'forecourt' });
    expect(redact('connect smtp://u:pa55word@mail failed for forecourt')).toBe('connect [secret] failed for forecourt');
    expect(secretRedactor(schema, {})('nothing to hide')).toBe('nothing to hide');
  });
});
