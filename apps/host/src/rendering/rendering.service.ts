import { Inject, Injectable } from '@nestjs/common';
import { FORECOURT_CONFIG, ForecourtConfig } from '../config/forecourt-config';
import { LinkTokens } from './link-tokens';
import { DirectoryBrand, NetworkDirectory } from './network-directory';
import { mergeData, messageIdOf, messageLinks, RenderedMessage, RenderRequest } from './render-data';
import { RenderInput, TemplateRenderer } from './template-renderer';
import { TEMPLATE_SOURCE, TemplateSource, TemplateSummary } from './template-source';
import { themeTokens, ThemeTokens } from './theme';

export class RenderSetupError extends Error {}

/**
 * Renders a message for dispatch (and again for GET /api/messages/:id/content and the click
 * redirect): the template compiled for the brand's theme, merged with the data dispatch kept,
 * the dealer and the brand from the database.
 */
@Injectable()
export class RenderingService {
  readonly renderer: TemplateRenderer;
  /** Tokens per brand as the directory keeps it (for a while), so the compile key's hash is made once per brand, not per message. */
  private readonly themes = new WeakMap<DirectoryBrand, ThemeTokens>();

  constructor(
    @Inject(TEMPLATE_SOURCE) private readonly source: TemplateSource,
    private readonly directory: NetworkDirectory,
    private readonly tokens: LinkTokens,
    @Inject(FORECOURT_CONFIG) private readonly config: ForecourtConfig,
  ) {
    this.renderer = new TemplateRenderer({ source, tokens, publicUrl: () => this.config.publicUrl });
  }

  async render(request: RenderRequest): Promise<RenderedMessage> {
    return this.renderer.render(await this.input(request));
  }

  /** The message's tracked links, in the order their click tokens count them. */
  async links(request: RenderRequest): Promise<string[]> {
    return this.renderer.links(await this.input(request));
  }

  templates(): Promise<TemplateSummary[]> {
    return this.source.list();
  }

  private async input(request: RenderRequest): Promise<RenderInput> {
    const dealer = await this.directory.dealer(request.dealerId);
    if (!dealer) throw new RenderSetupError(`dealer ${request.dealerId} does not exist`);
    const brands = await this.directory.allBrands();
    const brandId = request.brandId || (await this.directory.firstBrandOf(request.dealerId));
    const brand = brandId ? brands.get(brandId) : undefined;
    if (!brand) throw new RenderSetupError(brandId ? `brand ${brandId} does not exist` : `dealer ${request.dealerId} sells no brand to take a theme from`);
    let theme = this.themes.get(brand);
    if (!theme) this.themes.set(brand, (theme = themeTokens(brand)));
    const messageId = messageIdOf(request.data ?? {});
    const links = messageLinks(this.config.publicUrl, this.tokens, request.dealerId, messageId);
    const names = new Map([...brands.values()].map((b) => [b.id, b.name]));
    return {
      ref: { template: request.template, channel: request.channel, locale: request.locale, brandId: brand.id, dealerId: request.dealerId },
      theme,
      data: mergeData(request, dealer, { id: brand.id, name: brand.name, logoUrl: theme.logoUrl }, names, links),
      links,
      messageId,
      tracking: request.tracking,
    };
  }
}
