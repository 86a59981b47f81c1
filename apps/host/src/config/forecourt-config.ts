import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type ProcessRole = 'all' | 'api' | 'worker';

/** Everything the host reads from the environment, read and checked once at boot (CONTRACT.md, Environment). */
export interface ForecourtConfig {
  port: number;
  databaseUrl?: string;
  dataDir: string;
  /** Root key material; use `deriveKey` for a key per purpose so one leaked key does not open the others. */
  secret: string;
  publicUrl: string;
  demo: boolean;
  adminEmail?: string;
  adminPassword?: string;
  role: ProcessRole;
  smtpUrl?: string;
  mailFrom: string;
  twilio?: { accountSid: string; authToken: string; from: string };
  twilioApiUrl: string;
  chromiumPath?: string;
  extraPlugins: string[];
  /** How many days a preference-center link in a message works (one-click unsubscribe links never expire). */
  preferenceLinkDays: number;
  /** First retry delay of a webhook delivery; later ones grow from it (webhooks.options.ts). */
  webhookRetryBaseMs: number;
  /** Webhook endpoints may be in the server's own network (loopback, private ranges): off unless FORECOURT_WEBHOOK_ALLOW_PRIVATE=1. */
  webhookAllowPrivate: boolean;
}

export class ConfigError extends Error {}

export const FORECOURT_CONFIG = Symbol('FORECOURT_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ForecourtConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0-65535), got "${env.PORT}"`);
  }
  const role = (env.FORECOURT_ROLE || 'all') as ProcessRole;
  if (!['all', 'api', 'worker'].includes(role)) {
    throw new ConfigError(`FORECOURT_ROLE must be all, api or worker, got "${env.FORECOURT_ROLE}"`);
  }
  if (env.FORECOURT_DEMO && !['0', '1'].includes(env.FORECOURT_DEMO)) {
    throw new ConfigError(`FORECOURT_DEMO must be 0 or 1, got "${env.FORECOURT_DEMO}"`);
  }
  if (Boolean(env.FORECOURT_ADMIN_EMAIL) !== Boolean(env.FORECOURT_ADMIN_PASSWORD)) {
    throw new ConfigError('FORECOURT_ADMIN_EMAIL and FORECOURT_ADMIN_PASSWORD must be set together');
  }
  const twilioVars = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM];
  if (twilioVars.some(Boolean) && !twilioVars.every(Boolean)) {
    throw new ConfigError('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM must be set together');
  }
  const preferenceLinkDays = env.PREFERENCE_LINK_DAYS ? Number(env.PREFERENCE_LINK_DAYS) : 90;
  if (!Number.isInteger(preferenceLinkDays) || preferenceLinkDays < 1 || preferenceLinkDays > 3650) {
    throw new ConfigError(`PREFERENCE_LINK_DAYS must be a whole number of days (1-3650), got "${env.PREFERENCE_LINK_DAYS}"`);
  }
  const webhookRetryBaseMs = env.FORECOURT_WEBHOOK_RETRY_BASE_MS ? Number(env.FORECOURT_WEBHOOK_RETRY_BASE_MS) : 30_000;
  if (!Number.isInteger(webhookRetryBaseMs) || webhookRetryBaseMs < 10 || webhookRetryBaseMs > 3_600_000) {
    throw new ConfigError(`FORECOURT_WEBHOOK_RETRY_BASE_MS must be whole milliseconds (10-3600000), got "${env.FORECOURT_WEBHOOK_RETRY_BASE_MS}"`);
  }
  const dataDir = resolve(env.FORECOURT_DATA_DIR || './.data');
  return {
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    secret: env.FORECOURT_SECRET || loadOrCreateSecret(dataDir),
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    demo: env.FORECOURT_DEMO !== '0',
    adminEmail: env.FORECOURT_ADMIN_EMAIL || undefined,
    adminPassword: env.FORECOURT_ADMIN_PASSWORD || undefined,
    role,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'noreply@localhost',
    twilio: twilioVars.every(Boolean)
      ? { accountSid: env.TWILIO_ACCOUNT_SID!, authToken: env.TWILIO_AUTH_TOKEN!, from: env.TWILIO_FROM! }
      : undefined,
    twilioApiUrl: (env.TWILIO_API_URL || 'https://api.twilio.com').replace(/\/+$/, ''),
    chromiumPath: env.CHROMIUM_PATH || undefined,
    extraPlugins: (env.FORECOURT_PLUGINS || '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    preferenceLinkDays,
    webhookRetryBaseMs,
    webhookAllowPrivate: env.FORECOURT_WEBHOOK_ALLOW_PRIVATE === '1' || env.FORECOURT_WEBHOOK_ALLOW_PRIVATE === 'true',
  };
}

/** The generated secret is kept beside the embedded database so tokens survive a restart. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** A key for one purpose (sessions, signed links, settings encryption, the database role's password). */
export function deriveKey(config: Pick<ForecourtConfig, 'secret'>, purpose: string): Buffer {
  return createHmac('sha256', config.secret).update(`forecourt:${purpose}`).digest();
}
