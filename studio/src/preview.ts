import { api, type Brand, type BrandTheme, type Preview, type Sample } from './api';
import { debounce, h } from './dom';

export interface PreviewRequest {
  body?: string;
  subject?: string;
  slots?: Record<string, string>;
  /** Theme values not saved yet, laid over the brand's. */
  theme?: BrandTheme;
}

export interface PreviewOptions {
  templateId: string;
  brands: Brand[];
  samples: Sample[];
  /** The language of the template: the first sample shown is a private customer in it. */
  locale: string;
  dealerId?: string;
  /** What to preview instead of the saved content (the editor's current state). */
  request: () => PreviewRequest;
  /** Told when another brand is picked. */
  onBrand?: (brand: Brand) => void;
}

/** 210 mm at 96 dpi plus the sheet's margin. */
const SHEET_WIDTH = 830;

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The live preview: the server renders the editor's content in a brand's theme for a sample
 * customer; the result is shown in an iframe sandboxed without allow-same-origin or scripts, so the
 * message can neither run code nor reach the studio.
 */
export class PreviewPane {
  readonly el: HTMLElement;
  readonly brand: HTMLSelectElement;
  readonly sample: HTMLSelectElement;
  private readonly frame: HTMLIFrameElement;
  private readonly subject: HTMLElement;
  private readonly status: HTMLElement;
  private sequence = 0;
  /** Refreshes half a second after the last edit. */
  readonly refreshSoon = debounce(() => void this.refresh(), 500);

  constructor(private readonly options: PreviewOptions) {
    this.brand = h('select', { name: 'preview-brand', 'aria-label': 'Brand' }, ...options.brands.map((b) => h('option', { value: b.id }, b.name)));
    const ordered = [...options.samples].sort((a, b) => Number(b.locale === options.locale) - Number(a.locale === options.locale) || Number(a.fleet) - Number(b.fleet));
    this.sample = h('select', { name: 'preview-sample', 'aria-label': 'Sample customer' }, ...ordered.map((s) => h('option', { value: s.key }, s.label)));
    this.frame = h('iframe', { sandbox: '', title: 'Preview', class: 'preview-frame', referrerpolicy: 'no-referrer' });
    this.subject = h('div', { class: 'preview-subject' });
    this.status = h('div', { class: 'preview-status' });
    this.brand.addEventListener('change', () => {
      const brand = options.brands.find((b) => b.id === this.brand.value);
      if (brand) options.onBrand?.(brand);
      void this.refresh();
    });
    this.sample.addEventListener('change', () => void this.refresh());
    this.el = h('aside', { class: 'preview' }, h('div', { class: 'preview-controls' }, this.brand, this.sample), this.subject, this.status, this.frame);
  }

  currentBrand(): Brand | undefined {
    return this.options.brands.find((b) => b.id === this.brand.value);
  }

  async refresh(): Promise<void> {
    if (!this.brand.value) {
      this.status.textContent = 'No brand to preview with.';
      return;
    }
    const sequence = ++this.sequence;
    this.status.textContent = 'Rendering…';
    let result: Preview;
    try {
      result = await api.preview(this.options.templateId, {
        brandId: this.brand.value,
        sample: this.sample.value || undefined,
        dealerId: this.options.dealerId,
        ...this.options.request(),
      });
    } catch (error) {
      if (sequence === this.sequence) this.status.textContent = `Preview failed: ${(error as Error).message}`;
      return;
    }
    // An older answer arriving after a newer one is dropped.
    if (sequence !== this.sequence) return;
    this.status.textContent = '';
    this.subject.textContent = result.subject ? `Subject: ${result.subject}` : '';
    const html = result.page ?? result.html ?? `<pre style="white-space:pre-wrap;font:15px/1.45 system-ui,sans-serif;margin:16px">${escapeText(result.text ?? '')}</pre>`;
    this.frame.srcdoc = html;
    this.frame.dataset.rendered = String(sequence);
    this.fitSheet(result.page !== undefined);
  }

  /** An A4 sheet is wider than the pane: the frame is drawn at the sheet's width and scaled down to fit. */
  private fitSheet(sheet: boolean): void {
    const width = this.el.clientWidth;
    const scale = sheet && width > 0 && width < SHEET_WIDTH ? width / SHEET_WIDTH : 1;
    this.frame.style.width = scale === 1 ? '' : `${SHEET_WIDTH}px`;
    this.frame.style.transform = scale === 1 ? '' : `scale(${scale})`;
    this.frame.style.transformOrigin = 'top left';
    this.frame.style.flex = scale === 1 ? '' : 'none';
    this.frame.style.height = scale === 1 ? '' : `${Math.round(this.frame.parentElement!.clientHeight / scale)}px`;
  }
}
