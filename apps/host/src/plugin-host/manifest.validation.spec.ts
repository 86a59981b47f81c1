import { SDK_VERSION } from '@forecourt/sdk';
import { manifestProblem } from './manifest.validation';

const valid = {
  id: 'channel-webhook',
  kind: 'channel',
  version: '1.2.3',
  sdk: '^1.0.0',
  displayName: 'Webhook',
  description: 'POSTs messages',
  settings: {
    type: 'object',
    properties: {
      url: { type: 'string', format: 'uri' },
      secret: { type: 'string', secret: true, minLength: 16 },
      port: { type: 'integer', minimum: 1, default: 587, env: 'SMTP_PORT' },
    },
    required: ['url'],
    additionalProperties: false,
  },
};

const settings = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...valid, settings: { type: 'object', properties, ...extra } });

describe('manifestProblem', () => {
  it('accepts a complete manifest, with or without settings', () => {
    expect(manifestProblem(valid)).toBeUndefined();
    const { settings: _settings, ...bare } = valid;
    expect(manifestProblem(bare)).toBeUndefined();
  });

  it('names the field at fault', () => {
    expect(manifestProblem('channel')).toBe('forecourt: must be an object');
    expect(manifestProblem({ ...valid, id: 'Channel_Webhook' })).toBe('forecourt.id: must be kebab-case and start with its kind (channel-, trigger- or service-)');
    expect(manifestProblem({ ...valid, id: 'trigger-webhook' })).toBe('forecourt.id: must start with "channel-" for a channel plugin');
    expect(manifestProblem({ ...valid, kind: 'widget' })).toContain('forecourt.kind: must be one of channel, trigger, service');
    expect(manifestProblem({ ...valid, displayName: '' })).toBe('forecourt.displayName: must NOT have fewer than 1 characters');
    expect(manifestProblem({ ...valid, version: 'one' })).toBe('version: must be a semantic version');
    expect(manifestProblem({ ...valid, sdk: 'soon' })).toBe('forecourt.sdk: must be a semver range such as ^1.0.0');
    expect(manifestProblem({ ...valid, setting: {} })).toBe('forecourt.setting: is not a manifest field');
    expect(manifestProblem({ ...valid, settings: 'none' })).toBe('forecourt.settings: must be a JSON Schema of type object with properties');
  });

  it('lists every missing field', () => {
    const { description: _d, displayName: _n, ...rest } = valid;
    expect(manifestProblem(rest)).toBe('forecourt.displayName: is required; forecourt.description: is required');
  });

  it('refuses an SDK range the host does not satisfy', () => {
    expect(manifestProblem({ ...valid, sdk: '^9.0.0' })).toBe(`forecourt.sdk: needs SDK ^9.0.0, the host provides ${SDK_VERSION}`);
  });

  it('checks the settings schema itself', () => {
    expect(manifestProblem(settings({ url: { type: 'strin' } }))).toBe('forecourt.settings.properties.url.type: must be equal to one of the allowed values');
    expect(manifestProblem(settings({ url: { type: 'string', minLenght: 3 } }))).toContain('forecourt.settings: strict mode: unknown keyword: "minLenght"');
    expect(manifestProblem(settings({ url: { type: 'string', format: 'hostname' } }))).toContain('forecourt.settings: unknown format "hostname"');
    expect(manifestProblem(settings({ url: { type: 'string' } }, { required: ['ulr'] }))).toContain('forecourt.settings: strict mode: required property "ulr"');
    expect(manifestProblem(settings({ port: { type: 'integer', default: 'five' } }))).toBe('forecourt.settings.properties.port.default: must be integer');
    expect(manifestProblem(settings({ key: { type: 'number', secret: true } }))).toBe('forecourt.settings.properties.key.secret: a secret setting must be of type string');
    expect(manifestProblem(settings({ key: { type: 'string', secret: true, default: 'abc' } }))).toBe(
      'forecourt.settings.properties.key.default: a secret setting cannot have a default in the manifest (use env)',
    );
    expect(manifestProblem(settings({ smtp: { type: 'object', properties: { password: { type: 'string', secret: true } } } }))).toBe(
      'forecourt.settings.properties.smtp.properties.password.secret: only top-level settings can be secret',
    );
    expect(manifestProblem(settings({ url: { type: 'string', env: 'smtp-url' } }))).toContain('forecourt.settings');
  });
});
