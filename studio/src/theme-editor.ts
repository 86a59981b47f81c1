import { api, brandsFor, session, type Brand, type BrandTheme } from './api';
import { flash, h } from './dom';
import { PreviewPane } from './preview';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const FONTS = ['Helvetica, Arial, sans-serif', 'Georgia, serif', "'Trebuchet MS', sans-serif", 'Verdana, sans-serif', "'Courier New', monospace"];

/** A brand's theme (colours, font, logo, footer) with a template previewed beside it in that theme. */
export async function showThemeEditor(main: HTMLElement, brandId?: string): Promise<void> {
  const user = session.user()!;
  const [brands, templates, samples] = await Promise.all([brandsFor(user), api.templates(), api.samples()]);
  const brand = brands.find((b) => b.id === brandId) ?? brands[0];
  const picker = h(
    'nav',
    { class: 'brand-picker' },
    ...brands.map((b) => h('a', { href: `${BASE}/themes/${b.id}`, 'data-route': `/themes/${b.id}`, class: b.id === brand?.id ? 'current' : '' }, b.name)),
  );
  if (!brand) {
    main.append(h('section', { class: 'page' }, h('h1', {}, 'Themes'), h('p', {}, 'No brand to theme.')));
    return;
  }
  const emails = templates.items.filter((t) => t.channel === 'email' || t.channel === 'letter');
  const templateSelect = h('select', { name: 'preview-template' }, ...emails.map((t) => h('option', { value: t.id }, `${t.name} (${t.channel}, ${t.locale})`)));
  const invitation = emails.filter((t) => t.key === 'inspection-reminder/invite' && t.channel === 'email');
  templateSelect.value = (invitation.find((t) => t.locale === 'en') ?? invitation[0] ?? emails[0])?.id ?? '';

  const theme: BrandTheme = brand.theme ?? {};
  const primary = colourField('primaryColor', theme.primaryColor ?? '#1f2328');
  const secondary = colourField('secondaryColor', theme.secondaryColor ?? theme.primaryColor ?? '#1f2328');
  const font = h('input', { name: 'fontFamily', list: 'fonts', value: theme.fontFamily ?? FONTS[0] });
  const logo = h('input', { name: 'logoUrl', type: 'url', value: theme.logoUrl ?? '', placeholder: 'https://… (PNG or SVG)' });
  const footer = h('textarea', { name: 'footerHtml', class: 'code small' });
  footer.value = theme.footerHtml ?? '';
  const status = h('span', { class: 'status', role: 'status' });

  /** The form as a theme; empty fields left out, so the brand keeps its value (the server accepts no empty URL or font). */
  const formTheme = (): BrandTheme => ({
    primaryColor: primary.value() || undefined,
    secondaryColor: secondary.value() || undefined,
    fontFamily: font.value.trim() || undefined,
    logoUrl: logo.value.trim() || undefined,
    footerHtml: footer.value,
  });
  let preview: PreviewPane | undefined;
  const previewSlot = h('div', { class: 'theme-preview' });
  const showPreview = (current: Brand) => {
    if (!templateSelect.value) return;
    preview = new PreviewPane({
      templateId: templateSelect.value,
      brands: [current],
      samples: samples.items,
      locale: emails.find((t) => t.id === templateSelect.value)?.locale ?? 'en',
      // The form as it is now, saved or not.
      request: () => ({ theme: formTheme() }),
    });
    previewSlot.replaceChildren(preview.el);
    void preview.refresh();
  };
  templateSelect.addEventListener('change', () => showPreview(brand));

  const form = h(
    'form',
    { class: 'theme-form', id: 'theme-form' },
    h('label', {}, 'Primary colour', primary.el),
    h('label', {}, 'Secondary colour', secondary.el),
    h('label', {}, 'Font', font, h('datalist', { id: 'fonts' }, ...FONTS.map((f) => h('option', { value: f })))),
    h('label', {}, 'Logo URL', logo),
    h('label', {}, 'Footer (HTML: address, legal lines)', footer),
    h('button', { type: 'submit' }, 'Save theme'),
    status,
  );
  form.addEventListener('input', () => preview?.refreshSoon());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const saved = await api.updateBrand(brand.id, formTheme());
      Object.assign(brand, saved);
      flash(status, 'Theme saved.');
      showPreview(brand);
    } catch (error) {
      flash(status, (error as Error).message, 'error');
    }
  });
  main.append(
    h(
      'section',
      { class: 'page theme-page' },
      h('h1', {}, `Theme: ${brand.name}`),
      picker,
      h('div', { class: 'theme-layout' }, form, h('div', {}, h('label', {}, 'Preview with ', templateSelect), previewSlot)),
    ),
  );
  showPreview(brand);
}

/** A colour as a picker and as text (for rgb() or a colour name), kept in step. */
function colourField(name: string, initial: string) {
  const hex = /^#[0-9a-f]{6}$/i.test(initial) ? initial : '#000000';
  const picker = h('input', { type: 'color', value: hex, 'aria-label': name });
  const text = h('input', { name, value: initial, pattern: '.{3,40}' });
  picker.addEventListener('input', () => (text.value = picker.value));
  text.addEventListener('input', () => {
    if (/^#[0-9a-f]{6}$/i.test(text.value)) picker.value = text.value;
  });
  return { el: h('span', { class: 'colour' }, picker, text), value: () => text.value.trim() };
}
