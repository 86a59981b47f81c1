import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileTemplateSource, TemplateFileError } from './file-template.source';
import { LinkTokens } from './link-tokens';
import { TemplateRenderer, TemplateRenderError } from './template-renderer';
import { themeTokens } from './theme';

describe('FileTemplateSource', () => {
  let root: string;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forecourt-templates-'));
    write('_partials/stop.nl.txt', 'Geen sms meer? {{ links.preferences }}\n');
    write('_partials/stop.de.txt', 'Keine SMS mehr? {{ links.preferences }}\n');
    write('_partials/sign.txt', '{{ dealer.name }}: [[ partials.stop ]]');
    write('_partials/footer.nl.mjml', '<mj-text>Afmelden</mj-text>');
    write('svc/step/sms.nl.txt', 'Hallo. [[ partials.sign ]]');
    write('svc/step/sms.de.txt', 'Hallo. [[ partials.sign ]]');
    write('svc/step/sms.en.txt', 'Hello. [[ partials.sign ]]');
    write('svc/step/email.nl.mjml', '<mjml><mj-body><mj-section><mj-column>[[ partials.footer ]]</mj-column></mj-section></mj-body></mjml>');
    write('svc/step/email.nl.json', '{"subject": "Hallo {{ customer.name"}');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('pastes partials in, in the served language, partials within partials too', async () => {
    const source = new FileTemplateSource(root);
    expect((await source.load({ template: 'svc/step', channel: 'sms', locale: 'nl' }))?.body).toBe('Hallo. {{ dealer.name }}: Geen sms meer? {{ links.preferences }}');
    expect((await source.load({ template: 'svc/step', channel: 'sms', locale: 'de-AT' }))?.body).toBe('Hallo. {{ dealer.name }}: Keine SMS mehr? {{ links.preferences }}');
    expect((await source.load({ template: 'svc/step', channel: 'email', locale: 'nl' }))?.body).toContain('<mj-column><mj-text>Afmelden</mj-text></mj-column>');
    expect((await source.list()).map((t) => t.template)).toEqual(['svc/step']);
  });

  it('names the template, the partial and the files it looked for when a partial is missing, and refuses a partial that includes itself', async () => {
    const source = new FileTemplateSource(root);
    const attempt = source.load({ template: 'svc/step', channel: 'sms', locale: 'en' });
    await expect(attempt).rejects.toBeInstanceOf(TemplateFileError);
    await expect(attempt).rejects.toThrow('svc/step/sms.en.txt → sign: no partial "stop" for en (_partials/stop.en.txt or _partials/stop.txt)');

    write('_partials/loop.txt', 'a [[ partials.loop ]]');
    write('svc/loop/sms.nl.txt', '[[ partials.loop ]]');
    await expect(new FileTemplateSource(root).load({ template: 'svc/loop', channel: 'sms', locale: 'nl' })).rejects.toThrow(
      'svc/loop/sms.nl.txt → loop: partial "loop" includes itself',
    );
  });

  it('gives every template using partials a new version when a partial changes', async () => {
    const before = await new FileTemplateSource(root).load({ template: 'svc/step', channel: 'sms', locale: 'nl' });
    write('_partials/stop.nl.txt', 'Stoppen? {{ links.preferences }}');
    const after = await new FileTemplateSource(root).load({ template: 'svc/step', channel: 'sms', locale: 'nl' });
    expect(after?.version).not.toBe(before?.version);
    expect(after?.body).toContain('Stoppen?');
  });

  it('fails a broken subject with the template, the channel and locale, and the part at fault', async () => {
    const renderer = new TemplateRenderer({ source: new FileTemplateSource(root), tokens: new LinkTokens(randomBytes(32)), publicUrl: () => 'https://fc.test' });
    const attempt = renderer.compiled({ template: 'svc/step', channel: 'email', locale: 'nl' }, themeTokens({ name: 'Vela' }));
    await expect(attempt).rejects.toBeInstanceOf(TemplateRenderError);
    await expect(attempt).rejects.toThrow(/^svc\/step \(email\.nl\), subject: output "\{\{ customer\.name" not closed/);
  });
});
