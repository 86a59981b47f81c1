import { randomBytes, randomUUID } from 'node:crypto';
import { FileTemplateSource } from './file-template.source';
import { LinkTokens } from './link-tokens';
import { mergeData, messageLinks, RenderBrand, RenderDealer } from './render-data';
import { RenderInput, TemplateRenderer } from './template-renderer';
import { TemplateSource } from './template-source';
import { themeTokens } from './theme';

export interface RenderBenchResult {
  recipients: number;
  /** Messages per second through the real pipeline: compiled once, merged per recipient (HTML, text, subject, tracking, headers). */
  renderPerSecond: number;
  /** Messages per second when MJML is compiled (and Liquid parsed) for every recipient, measured on a sample. */
  renderNaivePerSecond: number;
  naiveSample: number;
  /** renderPerSecond / renderNaivePerSecond; the target is at least 100. */
  speedup: number;
}

const FIRST = ['Anna', 'Jan', 'Sophie', 'Lukas', 'Emma', 'Daan', 'Mia', 'Noah'];
const LAST = ['de Vries', 'Jansen', 'Müller', 'Bakker', 'Schmidt', 'Visser', 'Smit', 'Meyer'];
const MODELS = ['One', 'Cargo', 'Cargo L', 'Tour', 'Kombi'];

/** Recipient i: mostly private customers with one car, every tenth a fleet with two to six vehicles, every fourth with an appointment. */
function recipient(i: number, brandId: string): Record<string, unknown> {
  const fleet = i % 10 === 7;
  const vehicles = Array.from({ length: fleet ? 2 + (i % 5) : 1 }, (_, v) => ({
    plate: `${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i + v) % 26))}-${String(100 + ((i * 7 + v) % 900))}-${String.fromCharCode(66 + (v % 24))}`,
    model: MODELS[(i + v) % MODELS.length],
    brandId,
    inspectionDueDate: `2027-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + ((i + v) % 28)).padStart(2, '0')}`,
  }));
  const customer = fleet
    ? { kind: 'company', companyName: `Transport ${LAST[i % LAST.length]} B.V.`, contact: { firstName: FIRST[i % FIRST.length], lastName: LAST[(i + 3) % LAST.length] } }
    : { kind: 'person', firstName: FIRST[i % FIRST.length], lastName: LAST[(i + 1) % LAST.length] };
  const appointment = i % 4 === 1 ? { startsAt: `2027-01-${String(1 + (i % 28)).padStart(2, '0')}T08:30:00Z`, type: 'inspection' } : null;
  return { customer, vehicles, appointment, links: { booking: `https://book.vela.example/afspraak?dealer=utrecht&ref=${i}` } };
}

/**
 * Render throughput on the shipped inspection invitation (email, Dutch, with tracking), and the
 * same pipeline with its compile cache off (MJML compiled, Liquid parsed and the text alternative
 * made per recipient), measured in the same run. Each message goes through everything a real send
 * does: its signed preference and unsubscribe links, the merge data, the HTML, text and subject
 * merges, click tracking, the open pixel, the headers. Needs no database: the dealer and brand are
 * built here.
 *
 * The two are measured in alternating rounds, so a machine busy with something else slows both
 * alike, after a warm-up of each (MJML's first compile loads its code, and the first few thousand
 * merges are JIT compilation: neither is a per-message cost). Both must give the same messages.
 */
export async function measureRender(options: { recipients?: number; naiveSample?: number; source?: TemplateSource } = {}): Promise<RenderBenchResult> {
  const recipients = Math.max(1, options.recipients ?? 5000);
  const naiveSample = Math.max(1, Math.min(recipients, options.naiveSample ?? Math.max(20, Math.round(recipients / 40))));
  const source = options.source ?? new FileTemplateSource();
  const tokens = new LinkTokens(randomBytes(32));
  const publicUrl = () => 'https://forecourt.example';
  const brand = { id: randomUUID(), name: 'Vela', theme: { primaryColor: '#0b5fff', logoUrl: 'https://cdn.vela.example/logo.png', footerHtml: '<b>Vela Nederland</b> · <a href="https://www.vela.example/nl">vela.example</a>' } };
  const dealer: RenderDealer = {
    id: randomUUID(),
    name: 'Autobedrijf Vela Utrecht',
    email: 'service@vela-utrecht.example',
    phone: '+31 30 123 4567',
    address: { street: 'Kanaalweg 12', postalCode: '3526 KL', city: 'Utrecht', country: 'NL' },
    senderName: null,
    timezone: 'Europe/Amsterdam',
  };
  const theme = themeTokens(brand);
  const renderBrand: RenderBrand = { id: brand.id, name: brand.name, logoUrl: theme.logoUrl };
  const names = new Map([[brand.id, brand.name]]);
  const ref = { template: 'inspection-reminder/invite', channel: 'email', locale: 'nl', brandId: brand.id, dealerId: dealer.id };
  const messageIds = Array.from({ length: recipients + naiveSample }, () => randomUUID());
  // What the worker does per message (RenderingService.input, then render).
  const input = (i: number): RenderInput => {
    const messageId = messageIds[i];
    const links = messageLinks(publicUrl(), tokens, dealer.id, messageId);
    return { ref, theme, data: mergeData({ locale: 'nl', data: { ...recipient(i, brand.id), message: { id: messageId } } }, dealer, renderBrand, names, links), links, messageId };
  };

  const naive = new TemplateRenderer({ source, tokens, publicUrl, cacheSize: 0 });
  const cached = new TemplateRenderer({ source, tokens, publicUrl });
  for (let i = 0; i < 5; i++) await naive.render(input(i % recipients));
  for (let i = 0; i < 3000; i++) await cached.render(input(i % recipients));
  for (let i = 0; i < Math.min(naiveSample, 5); i++) {
    const [a, b] = [await naive.render(input(i)), await cached.render(input(i))];
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`the compiled and the naive pipeline rendered recipient ${i} differently`);
  }

  const rounds = Math.min(5, naiveSample);
  let naiveNs = 0n;
  let cachedNs = 0n;
  let n = 0;
  let c = 0;
  for (let round = 1; round <= rounds; round++) {
    let started = process.hrtime.bigint();
    for (const end = Math.round((naiveSample * round) / rounds); n < end; n++) await naive.render(input(recipients + n));
    naiveNs += process.hrtime.bigint() - started;
    started = process.hrtime.bigint();
    for (const end = Math.round((recipients * round) / rounds); c < end; c++) await cached.render(input(c));
    cachedNs += process.hrtime.bigint() - started;
  }

  const renderPerSecond = recipients / (Number(cachedNs) / 1e9);
  const renderNaivePerSecond = naiveSample / (Number(naiveNs) / 1e9);
  return {
    recipients,
    renderPerSecond: Math.round(renderPerSecond),
    renderNaivePerSecond: Math.round(renderNaivePerSecond * 10) / 10,
    naiveSample,
    speedup: Math.round(renderPerSecond / renderNaivePerSecond),
  };
}
