import type { Editor } from 'grapesjs';
import type { ComponentPluginOptions } from 'grapesjs-mjml';
import type { Brand } from '../api';
import { readableOn } from '../../../apps/host/src/rendering/contrast';

/** The `[[ theme.* ]]` tokens the server fills in (apps/host/src/rendering/theme.ts), for showing the canvas in a brand's look. */
export interface CanvasTheme {
  brandName: string;
  primaryColor: string;
  secondaryColor: string;
  onPrimaryColor: string;
  fontFamily: string;
  logoUrl: string;
  footerHtml: string;
}

const DEFAULT_COLOR = '#1f2328';
const DEFAULT_FONT = 'Helvetica, Arial, sans-serif';

export function canvasTheme(brand: Brand): CanvasTheme {
  const theme = brand.theme ?? {};
  const primaryColor = theme.primaryColor?.trim() || DEFAULT_COLOR;
  return {
    brandName: brand.name,
    primaryColor,
    secondaryColor: theme.secondaryColor?.trim() || primaryColor,
    onPrimaryColor: readableOn(primaryColor),
    fontFamily: theme.fontFamily?.trim() || DEFAULT_FONT,
    // Without a logo the server prints the brand's name; the canvas shows the name as an image in its place.
    logoUrl: theme.logoUrl?.trim() || nameAsImage(brand.name, primaryColor),
    footerHtml: theme.footerHtml ?? '',
  };
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Makes the canvas wear a brand's theme: grapesjs-mjml compiles every component with its MJML
 * parser, so the parser is wrapped to fill in `[[ theme.* ]]` and to give each compile the master's
 * head plus the theme's classes (as the server does when it renders). The saved MJML keeps the tokens.
 */
export function loadCanvasTheme(state: { theme?: CanvasTheme; head: () => string }) {
  return (editor: Editor, { opt }: ComponentPluginOptions) => {
    const parse = opt.mjmlParser;
    const withoutDefaults = pluginDefaultsRemover(editor);
    const themed = ((mjml: string, options?: object) => {
      const theme = state.theme;
      if (!theme) return parse(mjml, options);
      const fill = (text: string) => text.replace(/\[\[\s*theme\.([A-Za-z]+)\s*\]\]/g, (_, name: string) => escapeAttribute(String(theme[name as keyof CanvasTheme] ?? '')));
      // The preview text would come out as the first element of the body, where grapesjs-mjml looks for the component.
      const masterHead = state
        .head()
        .replace(/^<mj-head\b[^>]*>|<\/mj-head>$/gi, '')
        .replace(/<mj-preview\b[^>]*>[\s\S]*?<\/mj-preview>/gi, '');
      const head = `<mj-head>${masterHead}${themeAttributes(theme)}</mj-head>`;
      const source = /<mj-head\b/i.test(mjml) ? mjml : mjml.replace(/^\s*<mjml\b[^>]*>/i, (open) => `${open}${head}`);
      return parse(fill(withoutDefaults(source)), options);
    }) as typeof parse;
    opt.mjmlParser = themed;
  };
}

/**
 * grapesjs-mjml gives every component its own default attributes (a grey button, 13px text) and
 * compiles the canvas with them, though it leaves them out of the exported MJML. Taking them out of
 * what the canvas compiles lets the master's and the theme's mj-attributes show, as they will in the message.
 */
function pluginDefaultsRemover(editor: Editor): (mjml: string) => string {
  const defaults = new Map<string, Record<string, string>>();
  for (const type of editor.Components.getTypes()) {
    const values = (type.model.prototype as { defaults?: Record<string, unknown> }).defaults?.['style-default'];
    if (type.id.startsWith('mj-') && values && typeof values === 'object') defaults.set(type.id, values as Record<string, string>);
  }
  return (mjml) =>
    mjml.replace(/<(mj-[a-z-]+)\b([^>]*)>/gi, (tag, name: string, attributes: string) => {
      const own = defaults.get(name.toLowerCase());
      if (!own) return tag;
      return `<${name}${attributes.replace(/\s([a-z-]+)="([^"]*)"/gi, (attribute, key: string, value: string) => (own[key] === value ? '' : attribute))}>`;
    });
}

function themeAttributes(t: CanvasTheme): string {
  const font = escapeAttribute(t.fontFamily);
  return (
    `<mj-attributes><mj-all font-family="${font}" />` +
    `<mj-button background-color="${t.primaryColor}" color="${t.onPrimaryColor}" />` +
    `<mj-class name="fc-header" background-color="#ffffff" border-bottom="4px solid ${t.primaryColor}" />` +
    `<mj-class name="fc-heading" color="${t.primaryColor}" />` +
    `<mj-class name="fc-accent" background-color="${t.secondaryColor}" />` +
    `<mj-class name="fc-brand-name" color="${t.primaryColor}" font-size="22px" font-weight="700" /></mj-attributes>`
  );
}

function nameAsImage(name: string, color: string): string {
  const text = name.replace(/[<&>"]/g, '');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="48"><text x="0" y="34" font-family="Helvetica, Arial, sans-serif" font-size="30" font-weight="700" fill="${color}">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

