import { createHash } from 'node:crypto';
import type { BrandTheme } from '../network/brands/brand.entity';
import { readableOn } from './contrast';
import type { TemplateFormat } from './template-source';

/**
 * A brand's look as compile-time tokens. Templates use them as `[[ theme.primaryColor ]]` (in
 * attributes and styles) and through the MJML classes the theme defines; they are filled in
 * before MJML runs, so they are never part of the per-recipient merge.
 */
export interface ThemeTokens {
  brandName: string;
  primaryColor: string;
  secondaryColor: string;
  /** Text on the primary colour (buttons): white or near-black, whichever reads better. */
  onPrimaryColor: string;
  fontFamily: string;
  logoUrl?: string;
  /** HTML from the brand's theme (sanitised when a brand admin saves it). */
  footerHtml?: string;
}

const DEFAULT_COLOR = '#1f2328';
const DEFAULT_FONT = 'Helvetica, Arial, sans-serif';
const COLOR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\)|[a-z]{3,20})$/i;
const FONT = /^[\w\s,'"-]{1,200}$/;

export function themeTokens(brand: { name: string; theme?: Partial<BrandTheme> | null }): ThemeTokens {
  const theme = brand.theme ?? {};
  const color = (value: unknown, fallback: string) => (typeof value === 'string' && COLOR.test(value.trim()) ? value.trim() : fallback);
  const primaryColor = color(theme.primaryColor, DEFAULT_COLOR);
  return {
    brandName: brand.name,
    primaryColor,
    secondaryColor: color(theme.secondaryColor, primaryColor),
    onPrimaryColor: readableOn(primaryColor),
    fontFamily: typeof theme.fontFamily === 'string' && FONT.test(theme.fontFamily) ? theme.fontFamily.replace(/"/g, "'") : DEFAULT_FONT,
    logoUrl: imageUrl(theme.logoUrl),
    footerHtml: typeof theme.footerHtml === 'string' && theme.footerHtml.trim() ? theme.footerHtml : undefined,
  };
}

/** Hashes already made, by tokens and slots object: every message asks, and tokens and slots are never changed once made. */
const hashes = new WeakMap<ThemeTokens, WeakMap<Record<string, string>, string>>();

/** What the compiled template depends on besides the template itself: part of the compile key. */
export function themeHash(tokens: ThemeTokens, slots: Record<string, string>): string {
  let bySlots = hashes.get(tokens);
  if (!bySlots) hashes.set(tokens, (bySlots = new WeakMap()));
  let hash = bySlots.get(slots);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify([tokens, Object.entries(slots).sort()])).digest('hex').slice(0, 16);
    bySlots.set(slots, hash);
  }
  return hash;
}

/**
 * The template with the theme applied: for MJML, an `mj-attributes` block (fonts, button colours
 * and the `fc-*` classes below) appended to `mj-head`, so a later change of theme needs no template
 * change; in every format, the `[[ theme.* ]]` and `[[ slots.* ]]` tokens replaced.
 *
 * Classes for templates: `fc-header` (the logo bar), `fc-heading` (headings in the primary colour),
 * `fc-accent` (a band in the secondary colour), `fc-brand-name` (the brand's name where it has no
 * logo). An `mj-image` or `img` whose src is `[[ theme.logoUrl ]]` becomes the brand's name in
 * text when the brand has no logo.
 */
export function applyTheme(format: TemplateFormat, source: string, tokens: ThemeTokens, slots: Record<string, string>): string {
  let out = source;
  if (!tokens.logoUrl && format !== 'text') out = replaceLogo(format, out, tokens);
  if (format === 'mjml') out = withThemeAttributes(out, tokens);
  return out.replace(/\[\[\s*(theme|slots)\.([A-Za-z0-9_]+)\s*\]\]/g, (_, scope: string, name: string) => {
    if (scope === 'slots') return slots[name] ?? '';
    if (name === 'footerHtml') return format === 'text' ? '' : (tokens.footerHtml ?? '');
    const value = (tokens as unknown as Record<string, string | undefined>)[name] ?? '';
    return format === 'text' ? value : escapeHtml(value);
  });
}

function withThemeAttributes(source: string, t: ThemeTokens): string {
  const font = escapeHtml(t.fontFamily);
  const block =
    `<mj-attributes>` +
    `<mj-all font-family="${font}" />` +
    `<mj-button background-color="${t.primaryColor}" color="${t.onPrimaryColor}" />` +
    `<mj-class name="fc-header" background-color="#ffffff" border-bottom="4px solid ${t.primaryColor}" />` +
    `<mj-class name="fc-heading" color="${t.primaryColor}" />` +
    `<mj-class name="fc-accent" background-color="${t.secondaryColor}" />` +
    `<mj-class name="fc-brand-name" color="${t.primaryColor}" font-size="22px" font-weight="700" />` +
    `</mj-attributes>`;
  if (/<\/mj-head>/i.test(source)) return source.replace(/<\/mj-head>/i, `${block}</mj-head>`);
  return source.replace(/<mjml\b[^>]*>/i, (open) => `${open}<mj-head>${block}</mj-head>`);
}

function replaceLogo(format: TemplateFormat, source: string, t: ThemeTokens): string {
  const name = escapeHtml(t.brandName);
  if (format === 'mjml') {
    return source.replace(/<mj-image\b[^>]*\bsrc="\[\[\s*theme\.logoUrl\s*\]\]"[^>]*?(\/>|>\s*<\/mj-image>)/gi, (tag) => {
      const align = /\balign="(left|center|right)"/i.exec(tag)?.[1] ?? 'left';
      return `<mj-text mj-class="fc-brand-name" align="${align}" padding="0px">${name}</mj-text>`;
    });
  }
  return source.replace(/<img\b[^>]*\bsrc="\[\[\s*theme\.logoUrl\s*\]\]"[^>]*>/gi, () => `<span class="fc-brand-name">${name}</span>`);
}

/** An http(s) URL, or an inline data:image URL (what the brand DTO accepts for a logo). */
function imageUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  if (/^data:image\/(png|jpeg|gif|webp|svg\+xml)(;[a-z0-9=-]+)*(;base64)?,[^\s"'<>]+$/i.test(value.trim())) return value.trim();
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}
