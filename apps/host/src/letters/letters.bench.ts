import type { ChannelClient, ChannelDefinition, OutgoingMessage, PluginContext } from '@forecourt/sdk';
import { randomUUID } from 'node:crypto';
import { loadPlugin, pluginSources } from '../plugin-host/plugin-discovery';
import { manifestProblem } from '../plugin-host/manifest.validation';
import { hostSettings } from '../plugin-host/plugin-registry.service';

export interface LetterBenchResult {
  /** Letters in the batch. */
  letters: number;
  /** Pages of the batch's print file. */
  pages: number;
  /** Batched: many letters per browser page, one print file. */
  lettersPerSecond: number;
  /** Letters rendered one by one, each in a new page and its own PDF (a sample of the same letters). */
  singleLetters: number;
  lettersSinglePerSecond: number;
  /** lettersPerSecond / lettersSinglePerSecond; the target is at least 5. */
  speedup: number;
}

/** The letter plugin's client with its benchmark-only single-letter path. */
interface BenchLetterClient extends ChannelClient {
  sendBatch: NonNullable<ChannelClient['sendBatch']>;
  renderSingle(message: OutgoingMessage, options?: { date?: string }): Promise<{ pdf: Buffer; pages: number }>;
}

const SENDER = { name: 'Autohaus Vela Utrecht', street: 'Kanaalweg 12', postalCode: '3526 KL', city: 'Utrecht', country: 'NL', phone: '+31 30 123 4567', email: 'service@vela.example' };

/** A letter like the inspection reminder: a themed header, a few paragraphs; every seventh runs to a second page. */
export function benchLetter(index: number, dealerId = randomUUID()): OutgoingMessage {
  const long = index % 7 === 3;
  const paragraph = `<p>Uw auto met kenteken <b>AB-${String(index).padStart(3, '0')}-CD</b> moet binnenkort weer APK gekeurd worden. Wij nemen graag alles voor u uit handen: de keuring, eventuele reparaties en een frisse wasbeurt. Maak eenvoudig een afspraak via onze website of bel ons.</p>`;
  return {
    id: randomUUID(),
    dealerId,
    channel: 'letter',
    subject: 'Uw APK-keuring komt eraan',
    to: {
      name: `Klant ${index}`,
      locale: 'nl',
      address: { street: `Dorpsstraat ${index + 1}`, postalCode: `${1000 + ((index * 7919) % 9000)} ${'ABCDEFGH'[index % 8]}K`, city: 'Utrecht', country: 'NL' },
    },
    from: { name: SENDER.name },
    data: { sender: SENDER },
    html:
      `<html><head><style>body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1b1b1b}.brand{border-bottom:2px solid #0b5fff;color:#0b5fff;font-weight:bold;margin-bottom:4mm}p{margin:0 0 3mm}</style></head>` +
      `<body><div class="brand">VELA</div><p>Beste klant ${index},</p>${paragraph.repeat(long ? 14 : 3)}<p>Met vriendelijke groet,<br>${SENDER.name}</p></body></html>`,
  };
}

/** The letter channel as the host finds it (discovery, not an import: the host never imports a plugin by path). */
async function letterClient(env: NodeJS.ProcessEnv): Promise<BenchLetterClient> {
  const plugin = pluginSources([])
    .map((source) => loadPlugin(source, manifestProblem))
    .find((p) => p.state === 'enabled' && p.definition?.kind === 'channel' && p.definition.channel === 'letter');
  if (!plugin) throw new Error('no enabled plugin provides the letter channel');
  const definition = plugin.definition as ChannelDefinition;
  const values = new Map<string, unknown>();
  const quiet = () => undefined;
  const context: PluginContext = {
    pluginId: plugin.id,
    settings: hostSettings(plugin.manifest?.settings, env),
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    clock: { now: () => new Date() },
    renderer: {
      mjml: () => {
        throw new Error('no renderer in the letter benchmark');
      },
      merge: async () => {
        throw new Error('no renderer in the letter benchmark');
      },
      text: (html) => html,
    },
    store: {
      get: async <T>(key: string) => values.get(key) as T | undefined,
      set: async (key, value) => void values.set(key, value),
      delete: async (key) => void values.delete(key),
    },
    publicUrl: 'http://localhost',
  };
  const client = (await definition.createClient(context)) as BenchLetterClient;
  if (typeof client.sendBatch !== 'function' || typeof client.renderSingle !== 'function') {
    throw new Error(`plugin ${plugin.id} has no sendBatch and renderSingle to measure`);
  }
  return client;
}

/**
 * Letters per second printed as a batch (many letters per browser page, one file) against one
 * PDF per letter in a new page, on the same Chromium in the same run, both warmed up first.
 */
export async function measureLetters(options: { letters?: number; singleLetters?: number; env?: NodeJS.ProcessEnv } = {}): Promise<LetterBenchResult> {
  const count = Math.max(1, options.letters ?? 200);
  const singleCount = Math.max(1, Math.min(count, options.singleLetters ?? 50));
  const dealerId = randomUUID();
  const letters = Array.from({ length: count }, (_, i) => benchLetter(i, dealerId));
  const date = new Date().toISOString().slice(0, 10);
  const client = await letterClient(options.env ?? process.env);
  try {
    await client.sendBatch(letters.slice(0, 2), { date });
    await client.renderSingle(letters[0], { date });

    let started = process.hrtime.bigint();
    const batch = await client.sendBatch(letters, { date });
    const batchSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const notSent = Object.values(batch.results).filter((r) => r.status !== 'sent');
    if (notSent.length) throw new Error(`the benchmark batch did not print: ${JSON.stringify(notSent[0])}`);

    started = process.hrtime.bigint();
    for (const letter of letters.slice(0, singleCount)) await client.renderSingle(letter, { date });
    const singleSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const lettersPerSecond = count / batchSeconds;
    const lettersSinglePerSecond = singleCount / singleSeconds;
    return {
      letters: count,
      pages: batch.artifacts[0]?.messages.reduce((sum, m) => sum + m.pages, 0) ?? 0,
      lettersPerSecond: round(lettersPerSecond),
      singleLetters: singleCount,
      lettersSinglePerSecond: round(lettersSinglePerSecond),
      speedup: round(lettersPerSecond / lettersSinglePerSecond),
    };
  } finally {
    await client.close?.();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
