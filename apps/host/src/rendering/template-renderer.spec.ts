import { randomBytes, randomUUID } from 'node:crypto';
import { addOpenPixel, linkTracking, trackLinks, TrackingOptions } from './email-tracking';
import { FileTemplateSource } from './file-template.source';
import { HostRenderer } from './host.renderer';
import { textTemplateFromHtml, tidyText } from './html-text';
import { createLiquid } from './liquid.engine';
import { LinkTokens, urlHash } from './link-tokens';
import { MjmlCompileError } from './mjml.compiler';
import { mergeData, messageLinks, RenderBrand, RenderDealer } from './render-data';
import { TemplateRenderer, TemplateRenderError } from './template-renderer';
import { TemplateContent, TemplateRef, TemplateSource, TemplateSummary } from './template-source';
import { themeTokens } from './theme';

const PUBLIC_URL = 'https://fc.example.test';
const tokens = new LinkTokens(randomBytes(32));
const dealer: RenderDealer = {
  id: randomUUID(),
  name: 'Autobedrijf Vela Utrecht',
  email: 'service@vela-utrecht.example',
  phone: '+31 30 123 4567',
  address: { street: 'Kanaalweg 12', postalCode: '3526 KL', city: 'Utrecht', country: 'NL' },
  senderName: 'Team Werkplaats',
  timezone: 'Europe/Amsterdam',
};
const vela = { id: randomUUID(), name: 'Vela', theme: { primaryColor: '#0b5fff', logoUrl: 'https://cdn.example.test/vela.png', footerHtml: '<b>Vela Nederland</b> · Postbus 1' } };
const nordkap = { id: randomUUID(), name: 'Nordkap', theme: { primaryColor: '#127a3a' } };

const single = {
  customer: { kind: 'person', firstName: 'Anna', lastName: 'de Vries' },
  vehicles: [{ plate: 'AB-12-CD', model: 'One', brandId: vela.id, inspectionDueDate: '2027-01-15' }],
  links: { booking: 'https://book.example.test/vela?dealer=utrecht&src=mail' },
};
const fleet = {
  customer: { kind: 'company', companyName: 'Bouwbedrijf Jansen B.V.', contact: { firstName: 'Piet', lastName: 'Jansen' } },
  vehicles: [
    { plate: 'VX-001-A', model: 'Cargo', brandId: vela.id, inspectionDueDate: '2027-01-10' },
    { plate: 'VX-002-B', model: 'Cargo L', brandId: vela.id, inspectionDueDate: '2027-01-20' },
    { plate: 'VX-003-C', model: 'One', brandId: vela.id, inspectionDueDate: '2027-02-01' },
  ],
  appointment: { startsAt: '2027-01-05T08:30:00Z', type: 'inspection' },
};

function inputFor(brand: { id: string; name: string; theme: Record<string, string> }, ref: Omit<TemplateRef, 'dealerId'>, data: Record<string, unknown>, messageId?: string) {
  const links = messageLinks(PUBLIC_URL, tokens, dealer.id, messageId);
  const renderBrand: RenderBrand = { id: brand.id, name: brand.name, logoUrl: themeTokens(brand).logoUrl };
  return {
    ref: { ...ref, dealerId: dealer.id, brandId: brand.id },
    theme: themeTokens(brand),
    data: mergeData({ locale: ref.locale, data: { ...data, message: messageId ? { id: messageId } : undefined } }, dealer, renderBrand, new Map([[vela.id, 'Vela']]), links),
    links,
    messageId,
  };
}

class MemorySource implements TemplateSource {
  constructor(private readonly templates: Record<string, Partial<TemplateContent> & { body: string }>) {}
  async load(ref: TemplateRef): Promise<TemplateContent | undefined> {
    const t = this.templates[`${ref.template}:${ref.channel}`];
    return t && { template: ref.template, channel: ref.channel, locale: ref.locale, version: 'v1', format: 'mjml', slots: {}, ...t };
  }
  async list(): Promise<TemplateSummary[]> {
    return [];
  }
}

const invite = { template: 'inspection-reminder/invite', channel: 'email', locale: 'nl' };

/** Tracking as it was done before links were marked at compile time: on the merged HTML. */
function trackedAfterMerge(html: string, options: TrackingOptions): string {
  const tracking = linkTracking(options);
  return addOpenPixel(trackLinks(html, tracking), tracking);
}

describe('TemplateRenderer', () => {
  const files = new FileTemplateSource();

  it('compiles a template once per theme, however many recipients and however concurrent', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    await Promise.all(Array.from({ length: 40 }, () => renderer.render(inputFor(vela, invite, single, randomUUID()))));
    for (let i = 0; i < 20; i++) await renderer.render(inputFor(vela, invite, fleet, randomUUID()));
    expect(renderer.compiler.compiles).toBe(1);
    await renderer.render(inputFor(nordkap, invite, single));
    expect(renderer.compiler.compiles).toBe(2);
    await renderer.render(inputFor(vela, { ...invite, locale: 'de' }, single));
    expect(renderer.compiler.compiles).toBe(3);
  });

  it("gives each brand its own compiled HTML: its colour on the button and heading, its logo or else its name", async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    const a = await renderer.compiled({ ...invite, dealerId: dealer.id }, themeTokens(vela));
    const b = await renderer.compiled({ ...invite, dealerId: dealer.id }, themeTokens(nordkap));
    expect(a.html).not.toEqual(b.html);
    expect(a.html).toContain('background:#0b5fff');
    expect(a.html).toContain('src="https://cdn.example.test/vela.png"');
    expect(a.html).toContain('<b>Vela Nederland</b>');
    expect(a.html).not.toContain('#127a3a');
    expect(b.html).toContain('background:#127a3a');
    expect(b.html).not.toContain('<img');
    expect(b.html).toMatch(/>\s*Nordkap\s*</);
    expect(b.html).not.toContain('[[');
  });

  it('escapes merge fields in HTML and keeps them as typed in the text alternative and subject', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    const evil = { ...single, customer: { kind: 'person', firstName: '<script>alert(1)</script>', lastName: '& Co' } };
    const out = await renderer.render(inputFor(vela, invite, evil));
    expect(out.html).toContain('Beste &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co,');
    expect(out.html).not.toContain('<script>');
    expect(out.text).toContain('Beste <script>alert(1)</script> & Co,');
    expect(out.subject).toBe('De APK van uw Vela (AB-12-CD) komt eraan');
  });

  it('writes a text alternative with one line per vehicle, links as [url] and no leftover Liquid', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    const out = await renderer.render(inputFor(vela, invite, fleet));
    expect(out.subject).toBe('De APK van 3 voertuigen komt eraan');
    expect(out.text).toContain('Beste Piet Jansen,');
    expect(out.text).toContain('Kenteken | Voertuig | APK uiterlijk\nVX-001-A | Vela Cargo | 10 januari 2027\nVX-002-B | Vela Cargo L | 20 januari 2027\nVX-003-C | Vela One | 1 februari 2027');
    expect(out.text).toContain('Maak een afspraak [mailto:service@vela-utrecht.example]');
    expect(out.text).toContain('U heeft al een afspraak op 5 januari 2027?');
    expect(out.text).toMatch(/Met vriendelijke groet,\nTeam Werkplaats\nAutobedrijf Vela Utrecht/);
    expect(out.text).not.toMatch(/\{\{|\{%|\[\[|\uE000|\uE002/);
    expect(out.text).not.toMatch(/\n{3,}/);
  });

  it('tracks every http(s) link but preferences and unsubscribe, adds the open pixel and the List-Unsubscribe headers', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    const messageId = randomUUID();
    const input = inputFor(vela, invite, single, messageId);
    const out = await renderer.render(input);
    const hrefs = [...out.html!.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    const clicks = hrefs.filter((h) => h.startsWith(`${PUBLIC_URL}/t/c/`));
    expect(clicks).toHaveLength(1);
    const claims = tokens.verify('click', clicks[0].split('/').pop()!);
    expect(claims).toMatchObject({ dealerId: dealer.id, messageId, index: 0 });
    expect(await renderer.links(input)).toEqual(['https://book.example.test/vela?dealer=utrecht&src=mail']);
    expect(hrefs).toContain(input.links.preferences);
    expect(hrefs).toContain(input.links.unsubscribe);
    expect(out.html).not.toContain('book.example.test');
    const pixel = /<img src="https:\/\/fc\.example\.test\/t\/o\/([^"]+)" width="1" height="1"/.exec(out.html!);
    expect(tokens.verify('open', pixel![1])).toEqual({ dealerId: dealer.id, messageId });
    expect(out.headers).toEqual({ 'List-Unsubscribe': `<${input.links.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(tokens.verify('unsubscribe', input.links.oneClick!.split('/').pop()!)).toEqual({ dealerId: dealer.id, messageId });
    // the unsubscribe token is no click token, and a changed byte breaks any token
    expect(tokens.verify('click', input.links.oneClick!.split('/').pop()!)).toBeUndefined();
    expect(tokens.verify('open', pixel![1].slice(0, -2) + (pixel![1].endsWith('AA') ? 'AB' : 'AA'))).toBeUndefined();
  });

  it('adds no tracking without a message id (a preview), and none outside email', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    const preview = await renderer.render(inputFor(vela, invite, single));
    expect(preview.html).not.toContain('/t/o/');
    expect(preview.headers).toBeUndefined();
    const letter = await renderer.render(inputFor(vela, { ...invite, channel: 'letter' }, single, randomUUID()));
    expect(letter.html).not.toContain('/t/');
    expect(letter.headers).toBeUndefined();
  });

  it('refuses invalid MJML with MJML’s own message', async () => {
    const source = new MemorySource({ 'broken/step:email': { body: '<mjml><mj-body><mj-section><mj-text>Hallo</mj-text></mj-section></mj-body></mjml>' } });
    const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });
    const attempt = renderer.render(inputFor(vela, { template: 'broken/step', channel: 'email', locale: 'nl' }, single));
    await expect(attempt).rejects.toThrow(TemplateRenderError);
    await expect(attempt).rejects.toThrow('mj-text cannot be used inside mj-section, only inside: mj-attributes, mj-column, mj-hero');
    const direct = renderer.compiler.compile('<mjml><mj-body><mj-bogus /></mj-body></mjml>');
    await expect(direct).rejects.toBeInstanceOf(MjmlCompileError);
    await expect(direct).rejects.toThrow("Element mj-bogus doesn't exist or is not registered");
  });

  it('stops a runaway template with the Liquid limits, and refuses unknown filters and includes', async () => {
    const source = new MemorySource({
      'loop/step:sms': { format: 'text', body: '{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}' },
      'grow/step:sms': { format: 'text', body: '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}' },
      'filter/step:sms': { format: 'text', body: '{{ customer.name | shout }}' },
      'include/step:sms': { format: 'text', body: "{% render '/etc/passwd' %}" },
    });
    const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });
    const sms = (template: string) => renderer.render(inputFor(vela, { template, channel: 'sms', locale: 'nl' }, single));
    const started = Date.now();
    await expect(sms('loop/step')).rejects.toThrow(/template render limit exceeded/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(sms('grow/step')).rejects.toThrow(/memory alloc limit exceeded/);
    await expect(sms('filter/step')).rejects.toThrow(/undefined filter: shout/);
    await expect(sms('include/step')).rejects.toThrow(TemplateRenderError);
  });

  it('throws a clear error for a template or channel that does not exist', async () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    await expect(renderer.render(inputFor(vela, { template: 'inspection-reminder/nope', channel: 'email', locale: 'nl' }, single))).rejects.toThrow(
      'no template "inspection-reminder/nope" for the email channel',
    );
    await expect(renderer.render(inputFor(vela, { template: '../../etc', channel: 'email', locale: 'nl' }, single))).rejects.toThrow('no template');
  });

  describe('the per-recipient path (merge closures, links marked at compile time)', () => {
    const html = createLiquid('html');
    const plain = createLiquid('text');

    it('merges the shipped invitation exactly as LiquidJS plus tracking on the merged HTML would, and makes its text alternative from the compiled HTML', async () => {
      const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
      for (const locale of ['nl', 'de', 'en']) {
        const compiled = await renderer.compiled({ ...invite, locale, dealerId: dealer.id }, themeTokens(vela));
        expect([compiled.htmlMerge?.compiled, compiled.textMerge.compiled, compiled.subjectMerge?.compiled]).toEqual([true, true, true]);
        expect([compiled.linksMarked, compiled.pixelMarked]).toEqual([true, true]);
        for (const data of [single, fleet]) {
          const messageId = randomUUID();
          const input = inputFor(vela, { ...invite, locale }, data, messageId);
          const out = await renderer.render(input);
          const merged = html.renderSync(html.parse(compiled.html!), input.data) as string;
          const untracked = [input.links.preferences, input.links.unsubscribe];
          expect(out.html).toBe(trackedAfterMerge(merged, { publicUrl: PUBLIC_URL, tokens, dealerId: dealer.id, messageId, untracked }));
          expect(out.text).toBe(tidyText(plain.renderSync(plain.parse(textTemplateFromHtml(compiled.html!)), input.data) as string));
          if (data === single) expect(out.text).toContain('Maak een afspraak [https://book.example.test/vela?dealer=utrecht&src=mail]'.replace('Maak een afspraak', { nl: 'Maak een afspraak', de: 'Termin vereinbaren', en: 'Book an appointment' }[locale]!));
          expect(out.text).toContain(input.links.preferences);
          expect(out.text).not.toContain('/t/c/');
        }
      }
    });

    const loop = `<mjml><mj-body><mj-section><mj-column><mj-text>{% for v in vehicles %}<a href="https://x.test/v/{{ v.plate }}?a=1&amp;b=2">{{ v.plate }}</a> {% endfor %}<a href="{{ links.preferences }}">prefs</a> <a href="mailto:{{ dealer.email }}">mail</a></mj-text></mj-column></mj-section></mj-body></mjml>`;
    // The same links, but Liquid inside the <a> before its href: they cannot be marked at compile time.
    const unmarkable = loop.replace('<a href="https://x.test', '<a title="{{ v.model }}" href="https://x.test');

    it('signs one click token per link merged, in order, links in loops too, and leaves preference and mailto links alone', async () => {
      const source = new MemorySource({ 'loop/step:email': { body: loop, subject: 'x' }, 'late/step:email': { body: unmarkable, subject: 'x' } });
      const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });
      const messageId = randomUUID();
      const urls = fleet.vehicles.map((v) => `https://x.test/v/${v.plate}?a=1&b=2`);
      const results = [];
      for (const template of ['loop/step', 'late/step']) {
        const input = inputFor(vela, { template, channel: 'email', locale: 'nl' }, fleet, messageId);
        const compiled = await renderer.compiled(input.ref, input.theme);
        expect(compiled.linksMarked).toBe(template === 'loop/step');
        const out = await renderer.render(input);
        const clicks = [...out.html!.matchAll(/href="https:\/\/fc\.example\.test\/t\/c\/([^"]+)"/g)].map((m) => tokens.verify('click', m[1]));
        expect(clicks).toEqual(urls.map((url, index) => ({ dealerId: dealer.id, messageId, index, urlHash: urlHash(url) })));
        expect(out.html).toContain(`href="${input.links.preferences}"`);
        expect(out.html).toContain('href="mailto:service@vela-utrecht.example"');
        expect(out.html).not.toContain('https://x.test');
        expect(await renderer.links(input)).toEqual(urls);
        expect(out.text).toContain(`VX-001-A [${urls[0]}]`);
        results.push(out.html!.replace(/ title="[^"]*"/g, ''));
      }
      expect(results[0]).toBe(results[1]);
    });

    it('adds the pixel and tracks nothing for a preview or a letter, with the same compiled template', async () => {
      const source = new MemorySource({ 'loop/step:email': { body: loop, subject: 'x' } });
      const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });
      const preview = await renderer.render(inputFor(vela, { template: 'loop/step', channel: 'email', locale: 'nl' }, fleet));
      expect(preview.html).toContain('href="https://x.test/v/VX-001-A?a=1&amp;b=2"');
      expect(preview.html).not.toMatch(/\/t\/[co]\//);
      const tracked = await renderer.render(inputFor(vela, { template: 'loop/step', channel: 'email', locale: 'nl' }, fleet, randomUUID()));
      expect(tracked.html!.match(/\/t\/o\//g)).toHaveLength(1);
      expect(tracked.html!.indexOf('/t/o/')).toBeLessThan(tracked.html!.lastIndexOf('</body>'));
      expect(renderer.compiler.compiles).toBe(1);
    });

    it('puts the pixel where it goes on the merged HTML when a </body> is inside Liquid', async () => {
      const body = '<html><body><a href="https://x.test/a">a</a></body>{% if customer.firstName == "Piet" %}<p>late</p></body>{% endif %}</html>';
      const source = new MemorySource({ 'late/step:email': { format: 'html', body, subject: 'x' } });
      const renderer = new TemplateRenderer({ source, tokens, publicUrl: () => PUBLIC_URL });
      for (const data of [single, fleet]) {
        const messageId = randomUUID();
        const input = inputFor(vela, { template: 'late/step', channel: 'email', locale: 'nl' }, data, messageId);
        const merged = html.renderSync(html.parse(body), input.data) as string;
        const untracked = [input.links.preferences, input.links.unsubscribe];
        expect((await renderer.render(input)).html).toBe(trackedAfterMerge(merged, { publicUrl: PUBLIC_URL, tokens, dealerId: dealer.id, messageId, untracked }));
      }
    });
  });

  describe('every shipped template', () => {
    const renderer = new TemplateRenderer({ source: files, tokens, publicUrl: () => PUBLIC_URL });
    it('exists, with the inspection invitation in email, SMS and letter for nl, de and en', async () => {
      const list = await files.list();
      const invitation = list.find((t) => t.template === 'inspection-reminder/invite');
      expect(invitation?.channels).toEqual({ email: ['de', 'en', 'nl'], letter: ['de', 'en', 'nl'], sms: ['de', 'en', 'nl'] });
      expect(invitation?.version).toMatch(/^[0-9a-f]{16}$/);
    });

    it('renders in every locale and channel, for a person and a fleet, with every brand, without leftovers or errors', async () => {
      const rendered: string[] = [];
      for (const summary of await files.list()) {
        for (const [channel, locales] of Object.entries(summary.channels)) {
          for (const locale of ['nl', 'de', 'en']) {
            expect(locales).toContain(locale);
            for (const data of [single, fleet]) {
              for (const brand of [vela, nordkap]) {
                const out = await renderer.render(inputFor(brand, { template: summary.template, channel, locale }, data, randomUUID()));
                for (const part of [out.html ?? '', out.text, out.subject ?? '']) {
                  expect(part).not.toMatch(/\{\{|\{%|%\}|\}\}|\[\[|Liquid|undefined|\[object Object\]/);
                }
                expect(out.text.length).toBeGreaterThan(40);
                if (channel === 'email' || channel === 'letter') expect(out.subject).toBeTruthy();
                rendered.push(`${summary.template} ${channel}.${locale}`);
              }
            }
          }
        }
      }
      expect(rendered.length).toBeGreaterThanOrEqual(3 * 3 * 4);
    });
  });
});

describe('HostRenderer (the renderer plugins get)', () => {
  const renderer = new HostRenderer();
  afterAll(() => renderer.close());

  it('compiles MJML synchronously, caches it by content and throws MJML’s messages', () => {
    const source = '<mjml><mj-body><mj-section><mj-column><mj-text>Hallo</mj-text></mj-column></mj-section></mj-body></mjml>';
    const html = renderer.mjml(source);
    expect(html).toContain('Hallo');
    expect(renderer.mjml(source)).toBe(html);
    expect(() => renderer.mjml('<mjml><mj-body><mj-text>x</mj-text></mj-body></mjml>')).toThrow('mj-text cannot be used inside mj-body');
  });

  it('merges with escaping and limits, and converts HTML to text', async () => {
    expect(await renderer.merge('<p>{{ name }}</p>', { name: '<b>x</b>' })).toBe('<p>&lt;b&gt;x&lt;/b&gt;</p>');
    await expect(renderer.merge('{{ name | nope }}', { name: 'x' })).rejects.toThrow('undefined filter: nope');
    expect(renderer.text('<p>Hallo <a href="https://x.test/a">daar</a></p><p>Tot ziens</p>')).toBe('Hallo daar [https://x.test/a]\n\nTot ziens');
  });
});
