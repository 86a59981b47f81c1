import type { ServiceDefinition } from '@forecourt/sdk';
import { randomBytes, randomUUID } from 'node:crypto';
import { manifestProblem } from '../apps/host/src/plugin-host/manifest.validation';
import { loadPlugin, pluginSources } from '../apps/host/src/plugin-host/plugin-discovery';
import { FileTemplateSource } from '../apps/host/src/rendering/file-template.source';
import { htmlToPlainText } from '../apps/host/src/rendering/html-text';
import { LinkTokens } from '../apps/host/src/rendering/link-tokens';
import { mergeData, messageLinks, RenderDealer } from '../apps/host/src/rendering/render-data';
import { TemplateRenderer } from '../apps/host/src/rendering/template-renderer';
import { SUPPORTED_LOCALES } from '../apps/host/src/rendering/template-source';
import { themeTokens, ThemeTokens } from '../apps/host/src/rendering/theme';
import { generateDemoNetwork } from '../apps/host/src/seed/demo-network';
import { countSegments } from '../plugins/channel-sms/src/segments';

/**
 * Every shipped master template, rendered as dispatch renders it: for every (template, channel)
 * a service plugin's flow can send, in every locale, with every brand theme, for a private
 * customer and a fleet, with and without an appointment. The pairs come from the service plugins
 * themselves (their flows, and for channels read from a setting, that setting's enum), so a
 * service that gains a step or a channel fails here until its templates exist.
 */

const PUBLIC_URL = 'https://forecourt.test';
const tokens = new LinkTokens(randomBytes(32));

interface Pair {
  service: string;
  step: string;
  template: string;
  channel: string;
}

function servicePairs(): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const source of pluginSources([])) {
    const plugin = loadPlugin(source, manifestProblem);
    if (plugin.manifest?.kind !== 'service' && !source.split(/[\\/]/).pop()?.startsWith('service-')) continue;
    if (plugin.state !== 'enabled' || !plugin.definition) throw new Error(`service plugin ${plugin.id} does not load: ${plugin.reason}`);
    const service = plugin.definition as ServiceDefinition;
    for (const step of service.flow) {
      let channels: unknown = step.channels;
      if (!Array.isArray(step.channels)) {
        const name = step.channels.setting;
        channels = (service.settings.properties?.[name] as { items?: { enum?: unknown } } | undefined)?.items?.enum;
        if (!Array.isArray(channels) || !channels.length) {
          throw new Error(`${service.service}, step ${step.id}: channels come from the setting "${name}", which has no enum to tell them`);
        }
      }
      for (const channel of channels as string[]) {
        pairs.set(`${step.template}|${channel}`, { service: service.service, step: step.id, template: step.template, channel });
      }
    }
  }
  return [...pairs.values()].sort((a, b) => `${a.template}|${a.channel}`.localeCompare(`${b.template}|${b.channel}`));
}

const demo = generateDemoNetwork('2026-11-23');
const brandIds = new Map(demo.brands.map((b) => [b.key, randomUUID()]));
/** The demo brands (no http logo: their name stands in for it) and one with a logo, a linked footer and a light colour (dark button text). */
const brands = [
  ...demo.brands.map((b) => ({ id: brandIds.get(b.key)!, name: b.name, theme: b.theme })),
  {
    id: randomUUID(),
    name: 'Vela',
    theme: { primaryColor: '#f5c400', secondaryColor: '#1f2328', logoUrl: 'https://cdn.vela.test/logo.png', footerHtml: '<b>Vela Nederland</b> · <a href="https://www.vela.test/nl">vela.test</a>' },
  },
];
const themes: { id: string; name: string; tokens: ThemeTokens }[] = brands.map((b) => ({ id: b.id, name: b.name, tokens: themeTokens(b) }));
const brandNames = new Map(brands.map((b) => [b.id, b.name]));

function renderDealer(i: number): RenderDealer {
  const d = demo.dealers[i];
  return { id: randomUUID(), name: d.name, email: d.email, phone: d.phone, address: d.address, senderName: d.senderName, timezone: d.timezone };
}
/** A Dutch and a German demo dealer, and one with nothing but a name (every optional line left out). */
const dealers: RenderDealer[] = [
  renderDealer(0),
  renderDealer(demo.dealers.findIndex((d) => d.address.country === 'DE')),
  { id: randomUUID(), name: 'Garage Noord', email: null, phone: null, address: null, senderName: null, timezone: 'Europe/Amsterdam' },
];

const brandId = brands[0].id;
/** Merge data the way the campaign planner writes it into the outbox row. */
const customers: { label: string; data: Record<string, unknown> }[] = [
  {
    label: 'a person with one car',
    data: {
      customer: { externalId: 'C-1', kind: 'person', name: 'Anna de Vries', firstName: 'Anna', lastName: 'de Vries', companyName: null, contact: null },
      vehicles: [{ externalId: 'V-1', plate: 'AB-123-C', model: 'Siena', brandId, inspectionDueDate: '2027-01-15', nextServiceDate: '2027-02-03', warrantyEndDate: '2027-03-01', mileageKm: 48210 }],
      appointment: null,
      dueDate: '2027-01-15',
      links: { booking: 'https://book.demo.test/afspraak?ref=c1' },
    },
  },
  {
    label: 'a person with one car and an appointment at a time',
    data: {
      customer: { externalId: 'C-2', kind: 'person', name: 'Jonas Becker', firstName: 'Jonas', lastName: 'Becker', companyName: null, contact: null },
      vehicles: [{ externalId: 'V-2', plate: 'K-JB 204', model: 'Fjell', brandId: brands[1].id, inspectionDueDate: '2027-02-10', nextServiceDate: null, warrantyEndDate: '2027-02-28', mileageKm: null }],
      appointment: { startsAt: '2027-02-03T08:30:00Z' },
      dueDate: '2027-02-10',
    },
  },
  {
    label: 'a fleet with three vehicles and an appointment day',
    data: {
      customer: {
        externalId: 'C-3',
        kind: 'company',
        name: 'Bouwbedrijf Jansen B.V.',
        firstName: null,
        lastName: null,
        companyName: 'Bouwbedrijf Jansen B.V.',
        contact: { firstName: 'Piet', lastName: 'Jansen' },
      },
      vehicles: [
        { externalId: 'V-3', plate: 'VX-001-A', model: 'Arno', brandId, inspectionDueDate: '2027-01-10', nextServiceDate: '2027-01-20', warrantyEndDate: '2027-02-01', mileageKm: 120400 },
        { externalId: 'V-4', plate: 'VX-002-B', model: 'Lago Station', brandId, inspectionDueDate: '2027-01-20', nextServiceDate: null, warrantyEndDate: '2027-02-15', mileageKm: 98000 },
        { externalId: 'V-5', plate: null, model: 'Orbit Cargo', brandId: brands[2].id, inspectionDueDate: '2027-02-01', nextServiceDate: '2027-02-20', warrantyEndDate: '2027-03-10', mileageKm: null },
      ],
      appointment: { startsOn: '2027-01-08' },
      dueDate: '2027-01-10',
      links: { booking: 'https://book.demo.test/fleet?ref=c3', review: 'https://reviews.demo.test/r/c3' },
    },
  },
  {
    label: 'a fleet with two vehicles, no appointment, no company contact',
    data: {
      customer: { externalId: 'C-4', kind: 'company', name: 'Transport Meyer GmbH', firstName: null, lastName: null, companyName: 'Transport Meyer GmbH', contact: null },
      vehicles: [
        { externalId: 'V-6', plate: 'M-TM 11', model: 'Sund', brandId: brands[1].id, inspectionDueDate: '2027-03-01', nextServiceDate: '2027-03-05', warrantyEndDate: '2027-03-20', mileageKm: 201000 },
        { externalId: 'V-7', plate: 'M-TM 12', model: 'Vik Touring', brandId: brands[1].id, inspectionDueDate: '2027-03-03', nextServiceDate: null, warrantyEndDate: '2027-03-22', mileageKm: 187500 },
      ],
      appointment: null,
      dueDate: '2027-03-01',
    },
  },
  {
    label: 'a person without vehicles (birthday, win-back)',
    data: {
      customer: { externalId: 'C-5', kind: 'person', name: 'Sophie Bakker', firstName: 'Sophie', lastName: 'Bakker', companyName: null, contact: null },
      vehicles: [],
      appointment: null,
      dueDate: '2026-11-23',
    },
  },
];

/** Words only the locale has (whole words); the text must have one of its own and none of the others'. */
const LANGUAGE: Record<string, RegExp> = {
  nl: /\b(uw|een|het|voor|bij|van|op|met)\b/,
  de: /\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihres|Ihnen|und|für|die|der|ist)\b/,
  en: /\b(you|your|the|and|of|is|on)\b/,
};
const FOREIGN: Record<string, RegExp> = {
  nl: /\b(Sie|Ihnen|und|you|your|the)\b/,
  de: /\b(uw|een|het|you|your|the)\b/,
  en: /\b(uw|een|het|Sie|Ihnen|und)\b/,
};
/** What every inspection template calls the inspection in the locale. */
const INSPECTION: Record<string, RegExp> = { nl: /\bAPK\b/, de: /\b(HU|Hauptuntersuchung)\b/, en: /\binspection\b/ };

const LEFTOVER = /\{\{|\}\}|\{%|%\}|\[\[|\]\]|\bundefined\b|\bnull\b|\bNaN\b|Invalid Date|\[object Object\]|\uE000|\uE002/;

describe('shipped templates', () => {
  const pairs = servicePairs();
  const source = new FileTemplateSource();
  const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });

  it('are derived from the service plugins: every service, its steps and their channels', () => {
    const services = new Set(pairs.map((p) => p.service));
    expect([...services].sort()).toEqual(
      expect.arrayContaining(['birthday-greeting', 'inspection-reminder', 'maintenance-reminder', 'post-visit', 'warranty-offer', 'welcome', 'win-back']),
    );
    expect(pairs).toEqual(
      expect.arrayContaining([
        { service: 'inspection-reminder', step: 'invite', template: 'inspection-reminder/invite', channel: 'letter' },
        { service: 'inspection-reminder', step: 'call', template: 'inspection-reminder/call', channel: 'call-list' },
        { service: 'inspection-reminder', step: 'appointment-sms', template: 'inspection-reminder/appointment-sms', channel: 'sms' },
      ]),
    );
  });

  it('exist for every (template, channel) a service can send, in every locale, with no fallback to another language', async () => {
    const missing: string[] = [];
    for (const pair of pairs) {
      for (const locale of SUPPORTED_LOCALES) {
        const content = await source.load({ template: pair.template, channel: pair.channel, locale });
        if (!content) missing.push(`${pair.template} has no ${pair.channel} template (${pair.service}, step ${pair.step})`);
        else if (content.locale !== locale) missing.push(`${pair.template} has no ${pair.channel}.${locale} (it would send ${content.locale})`);
        else if ((pair.channel === 'email' || pair.channel === 'letter') && !content.subject?.trim()) missing.push(`${pair.template}: ${pair.channel}.${locale}.json has no subject`);
      }
    }
    expect(missing).toEqual([]);
  });

  describe.each(pairs.map((p) => [`${p.template} (${p.channel})`, p] as const))('%s', (_name, pair) => {
    it.each([...SUPPORTED_LOCALES])('renders in %s for every brand, dealer and customer: complete, in its language, nothing left unmerged', async (locale) => {
      for (const theme of themes) {
        for (const dealer of dealers) {
          for (const customer of customers) {
            const messageId = randomUUID();
            const links = messageLinks(PUBLIC_URL, tokens, dealer.id, messageId);
            const data = mergeData(
              { locale, data: { ...customer.data, message: { id: messageId, channel: pair.channel, serviceKey: pair.service, step: pair.step } } },
              dealer,
              { id: theme.id, name: theme.name, logoUrl: theme.tokens.logoUrl },
              brandNames,
              links,
            );
            const where = `${pair.template} ${pair.channel}.${locale}, ${theme.name}, ${dealer.name}, ${customer.label}`;
            const out = await renderer.render({ ref: { template: pair.template, channel: pair.channel, locale, brandId: theme.id, dealerId: dealer.id }, theme: theme.tokens, data, links, messageId });

            for (const [part, value] of Object.entries({ html: out.html ?? '', text: out.text, subject: out.subject ?? '' })) {
              const leftover = LEFTOVER.exec(value);
              if (leftover) throw new Error(`${where}: "${leftover[0]}" left in the ${part}: …${value.slice(Math.max(0, leftover.index - 80), leftover.index + 40)}…`);
            }
            expect([where, out.text.length > 40]).toEqual([where, true]);

            const footer = theme.tokens.footerHtml ? htmlToPlainText(theme.tokens.footerHtml) : '';
            // Links left out: a signed token is random text that may hold "-uw-" or "_the-".
            const words = [out.subject ?? '', out.text.split(footer).join('')].join('\n').replace(/https?:\/\/\S+/g, '');
            expect([where, LANGUAGE[locale].test(words), FOREIGN[locale].exec(words)?.[0] ?? 'none']).toEqual([where, true, 'none']);
            if (pair.template.startsWith('inspection-reminder/')) expect([where, INSPECTION[locale].test(words)]).toEqual([where, true]);

            if (pair.channel === 'email') {
              expect([where, out.subject?.length]).toEqual([where, expect.any(Number)]);
              expect(out.subject).not.toMatch(/\n/);
              expect(out.html).toContain(`href="${links.preferences}"`);
              expect(out.html).toContain(`href="${links.unsubscribe}"`);
              expect(out.html).toMatch(new RegExp(`<img src="${PUBLIC_URL}/t/o/[A-Za-z0-9_-]+"`));
              expect(out.text).toContain(links.preferences);
              expect(out.headers?.['List-Unsubscribe']).toBe(`<${links.oneClick}>`);
              expect(out.html).toContain(dealer.name.replace(/&/g, '&amp;'));
              // No link leaves unsigned but the preference center's; everything else http(s) goes through /t/c/.
              for (const [, href] of out.html!.matchAll(/href="(https?:[^"]+)"/g)) {
                if (href !== links.preferences && href !== links.unsubscribe) expect([where, href]).toEqual([where, expect.stringMatching(new RegExp(`^${PUBLIC_URL}/t/c/`))]);
              }
            } else if (pair.channel === 'letter') {
              expect([where, !!out.subject?.trim(), !!out.html]).toEqual([where, true, true]);
              expect(out.text).toContain(links.preferences);
              expect(out.html).not.toContain('/t/');
            } else if (pair.channel === 'sms') {
              const segments = countSegments(out.text);
              expect([where, segments.encoding, segments.segments <= 3]).toEqual([where, 'GSM-7', true]);
              expect(out.text).toContain(links.preferences);
              expect(out.text).not.toMatch(/\n/);
            }
            if (out.subject !== undefined) expect([where, out.subject.trim().length > 5]).toEqual([where, true]);
            if (customer.data.vehicles && (customer.data.vehicles as unknown[]).length > 1 && pair.channel !== 'sms' && pair.channel !== 'call-list' && /inspection|maintenance|warranty/.test(pair.template)) {
              // A fleet gets every vehicle, one row each.
              for (const v of customer.data.vehicles as { plate: string | null; model: string }[]) expect([where, out.text.includes(v.plate ?? v.model)]).toEqual([where, true]);
            }
          }
        }
      }
    });
  });
});
