import type { PluginRenderer } from '@forecourt/sdk';
import { createHash } from 'node:crypto';
import { htmlToPlainText } from './html-text';
import { createLiquid, ParsedTemplate } from './liquid.engine';
import { LruCache } from './lru';
import { SyncMjml } from './mjml.compiler';

const hash = (source: string) => createHash('sha256').update(source).digest('base64url');

/**
 * The renderer plugins get in their context (PLUGIN_RENDERER): the host's MJML, its escaping
 * Liquid with the limits on, and its text conversion. Compiled MJML and parsed Liquid are kept by
 * content, so a plugin that renders the same template for every message pays for it once.
 */
export class HostRenderer implements PluginRenderer {
  private readonly liquid = createLiquid('html');
  private readonly mjmlCache = new LruCache<string, string>(100);
  private readonly liquidCache = new LruCache<string, ParsedTemplate>(500);
  private readonly sync = new SyncMjml();

  mjml(source: string): string {
    const key = hash(source);
    let html = this.mjmlCache.get(key);
    if (html === undefined) {
      html = this.sync.compile(source);
      this.mjmlCache.set(key, html);
    }
    return html;
  }

  async merge(template: string, data: Record<string, unknown>): Promise<string> {
    const key = hash(template);
    let parsed = this.liquidCache.get(key);
    if (!parsed) {
      parsed = this.liquid.parse(template);
      this.liquidCache.set(key, parsed);
    }
    return this.liquid.renderSync(parsed, data) as string;
  }

  text(html: string): string {
    return htmlToPlainText(html);
  }

  close(): void {
    this.sync.stop();
  }
}
