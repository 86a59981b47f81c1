import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../config/project-root';
import { LruCache } from './lru';
import { localeCandidates, TEMPLATE_FORMATS, TemplateContent, TemplateRef, TemplateSource, TemplateSummary } from './template-source';

/** `<service>/<step>`: two kebab-case names, so a template id can never leave the templates folder. */
const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;
/** `<channel>.<locale>.<ext>`, e.g. `email.nl.mjml`, `sms.de.txt`, `letter.en.html`; a sidecar `<channel>.<locale>.json` holds the subject. */
const BODY_FILE = /^([a-z][a-z0-9-]*)\.([a-z]{2}(?:-[a-z]{2})?)\.(mjml|html|txt)$/i;
/** The folder of shared pieces, beside the services' folders. */
export const PARTIALS_FOLDER = '_partials';
/** `<name>.<locale>.<ext>` (one language) or `<name>.<ext>` (every language). */
const PARTIAL_FILE = /^([a-z0-9][a-z0-9-]*)(?:\.([a-z]{2}(?:-[a-z]{2})?))?\.(mjml|html|txt)$/i;
const PARTIAL_TOKEN = /\[\[\s*partials\.([A-Za-z0-9_-]+)\s*\]\]/g;
const USES_PARTIALS = /\[\[\s*partials\./;
/** Partials may use partials, this deep. */
const PARTIAL_DEPTH = 4;

interface TemplateFolder {
  template: string;
  version: string;
  meta: { name?: string; description?: string };
  files: Map<string, string>;
}

export class TemplateFileError extends Error {}

interface Partials {
  /** `<name>.<ext>` → locale ('' for every language) → content. */
  files: Map<string, Map<string, string>>;
  version: string;
}

/**
 * The shipped templates: `templates/<service>/<step>/` with `email.<locale>.mjml`,
 * `sms.<locale>.txt`, `letter.<locale>.html`, `call-list.<locale>.txt`, optional sidecars
 * `<channel>.<locale>.json` (`{"subject": "…"}`, the subject a Liquid string) and `meta.json`
 * (`{"name", "description"}`).
 *
 * Pieces every template shares (the email footer, the signature, the letter's small print) live
 * once in `templates/_partials/`: a body says `[[ partials.email-footer ]]` and gets
 * `_partials/email-footer.<locale>.<ext>` (else `email-footer.<ext>`), same extension as the body,
 * same locale as served, pasted in when the template is loaded, so the renderer, its cache and
 * the studio see one whole template. A template's version is the hash of its files and of the
 * partials. Folders are read once and kept.
 */
export class FileTemplateSource implements TemplateSource {
  private readonly folders = new Map<string, Promise<TemplateFolder | undefined>>();
  private partialsRead?: Promise<Partials>;
  /** Loaded contents by (template, channel, locale asked for): the files never change while they are kept. */
  private readonly loaded = new LruCache<string, Promise<TemplateContent | undefined>>(2_000);

  constructor(readonly root: string = join(projectRoot(), 'templates')) {}

  load(ref: TemplateRef): Promise<TemplateContent | undefined> {
    const key = `${ref.template}\0${ref.channel}\0${ref.locale}`;
    let content = this.loaded.get(key);
    if (!content) {
      content = this.readContent(ref);
      this.loaded.set(key, content);
      content.catch(() => this.loaded.delete(key));
    }
    return content;
  }

  private async readContent(ref: TemplateRef): Promise<TemplateContent | undefined> {
    if (!TEMPLATE_ID.test(ref.template)) return undefined;
    const folder = await this.folder(ref.template);
    if (!folder) return undefined;
    const bodies = [...folder.files.keys()].map((name) => BODY_FILE.exec(name)).filter((m): m is RegExpExecArray => !!m && m[1] === ref.channel);
    const locale = localeCandidates(ref.locale, bodies.map((m) => m[2].toLowerCase()))[0];
    const match = bodies.find((m) => m[2].toLowerCase() === locale);
    if (!match) return undefined;
    const sidecarName = `${ref.channel}.${match[2]}.json`;
    const sidecar = folder.files.has(sidecarName) ? parseJson(folder.files.get(sidecarName)!, `${ref.template}/${sidecarName}`) : {};
    if (sidecar.subject !== undefined && typeof sidecar.subject !== 'string') throw new TemplateFileError(`${ref.template}/${sidecarName}: "subject" must be a string`);
    const body = folder.files.get(match[0])!;
    const partials = USES_PARTIALS.test(body) ? await this.partials() : undefined;
    return {
      template: ref.template,
      channel: ref.channel,
      locale,
      version: partials ? `${folder.version}.${partials.version}` : folder.version,
      format: TEMPLATE_FORMATS[match[3].toLowerCase()],
      body: partials ? withPartials(body, match[3].toLowerCase(), locale, partials, `${ref.template}/${match[0]}`, []) : body,
      subject: sidecar.subject as string | undefined,
      slots: {},
    };
  }

  private partials(): Promise<Partials> {
    if (!this.partialsRead) {
      const read = this.readPartials();
      read.catch(() => {
        if (this.partialsRead === read) this.partialsRead = undefined;
      });
      this.partialsRead = read;
    }
    return this.partialsRead;
  }

  private async readPartials(): Promise<Partials> {
    const dir = join(this.root, PARTIALS_FOLDER);
    const files = new Map<string, Map<string, string>>();
    const hash = createHash('sha256');
    const names = existsSync(dir) ? (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() && !d.name.startsWith('.')).map((d) => d.name).sort() : [];
    for (const name of names) {
      const m = PARTIAL_FILE.exec(name);
      if (!m) continue;
      const content = await readFile(join(dir, name), 'utf8');
      hash.update(`${name}\0${content}\0`);
      const key = `${m[1]}.${m[3].toLowerCase()}`;
      if (!files.has(key)) files.set(key, new Map());
      files.get(key)!.set((m[2] ?? '').toLowerCase(), content);
    }
    return { files, version: hash.digest('hex').slice(0, 8) };
  }

  async list(): Promise<TemplateSummary[]> {
    if (!existsSync(this.root)) return [];
    const out: TemplateSummary[] = [];
    for (const service of (await subfolders(this.root)).filter((name) => !name.startsWith('_'))) {
      for (const step of await subfolders(join(this.root, service))) {
        const folder = await this.folder(`${service}/${step}`);
        if (!folder) continue;
        const channels: Record<string, string[]> = {};
        for (const name of folder.files.keys()) {
          const m = BODY_FILE.exec(name);
          if (m) (channels[m[1]] ??= []).push(m[2].toLowerCase());
        }
        if (!Object.keys(channels).length) continue;
        for (const locales of Object.values(channels)) locales.sort();
        out.push({ template: folder.template, version: folder.version, ...folder.meta, channels });
      }
    }
    return out.sort((a, b) => a.template.localeCompare(b.template));
  }

  private folder(template: string): Promise<TemplateFolder | undefined> {
    let folder = this.folders.get(template);
    if (!folder) {
      folder = this.read(template);
      folder.catch(() => this.folders.delete(template));
      this.folders.set(template, folder);
    }
    return folder;
  }

  private async read(template: string): Promise<TemplateFolder | undefined> {
    const dir = join(this.root, ...template.split('/'));
    if (!existsSync(dir)) return undefined;
    const names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() && !d.name.startsWith('.')).map((d) => d.name).sort();
    const files = new Map<string, string>();
    const hash = createHash('sha256');
    for (const name of names) {
      const content = await readFile(join(dir, name), 'utf8');
      files.set(name, content);
      hash.update(`${name}\0${content}\0`);
    }
    const meta = files.has('meta.json') ? parseJson(files.get('meta.json')!, `${template}/meta.json`) : {};
    return {
      template,
      version: hash.digest('hex').slice(0, 16),
      meta: { name: typeof meta.name === 'string' ? meta.name : undefined, description: typeof meta.description === 'string' ? meta.description : undefined },
      files,
    };
  }
}

/** The body with its `[[ partials.name ]]` replaced, partials within partials too; `file` and `chain` name where a problem is. */
function withPartials(body: string, ext: string, locale: string, partials: Partials, file: string, chain: string[]): string {
  return body.replace(PARTIAL_TOKEN, (_token, name: string) => {
    const where = [file, ...chain].join(' → ');
    if (chain.includes(name)) throw new TemplateFileError(`${where}: partial "${name}" includes itself`);
    if (chain.length >= PARTIAL_DEPTH) throw new TemplateFileError(`${where}: partials nested deeper than ${PARTIAL_DEPTH}`);
    const byLocale = partials.files.get(`${name}.${ext}`);
    const content = byLocale?.get(locale) ?? byLocale?.get('');
    if (content === undefined) {
      throw new TemplateFileError(`${where}: no partial "${name}" for ${locale} (${PARTIALS_FOLDER}/${name}.${locale}.${ext} or ${PARTIALS_FOLDER}/${name}.${ext})`);
    }
    return withPartials(content.trim(), ext, locale, partials, file, [...chain, name]);
  });
}

function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch (error) {
    throw new TemplateFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  throw new TemplateFileError(`${file} must hold a JSON object`);
}

async function subfolders(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}
