import type { Component } from 'grapesjs';
import { api, ApiError, brandsFor, isDealer, session, type FieldError, type MergeFieldGroup, type SlotDefinition, type SlotKind, type TemplateDetail } from './api';
import { flash, h } from './dom';
import { canvasTheme, type CanvasTheme } from './editor/canvas-theme';
import { MjmlEditor } from './editor/mjml-editor';
import { brandSlotContents, fillMjmlSlots, htmlSlotNames, lineOf, slotNamesOf } from './editor/mjml-document';
import { PreviewPane } from './preview';

const SLOT_KINDS: SlotKind[] = ['text', 'rich-text', 'image'];

declare global {
  interface Window {
    forecourtStudio?: { editor: MjmlEditor };
  }
}

/** What the page edits, whichever the format: MJML in GrapesJS, letter HTML or SMS text in a code area, or a dealer's slot fields. */
interface Surface {
  el: HTMLElement;
  /** The whole body as it would be saved (brand mode). */
  body(): string;
  /** Slot names present in the body. */
  slotNames(): string[];
  /** A dealer's current slot values. */
  slotValues(): Record<string, string>;
  insert(text: string): boolean;
  reveal(error: FieldError): void;
  load(body: string): void;
  /** The canvas in this brand's look (MJML only). */
  setTheme(theme: CanvasTheme): void;
  destroy(): void;
}

/** The editor page for one master: a brand admin edits the draft, a dealer fills the open slots of the published version. */
export async function showTemplateEditor(main: HTMLElement, templateId: string): Promise<() => void> {
  const user = session.user()!;
  const dealer = isDealer(user);
  const [template, brands, samples, fields] = await Promise.all([api.template(templateId), brandsFor(user), api.samples(), api.mergeFields()]);
  const content = dealer ? template.published : (template.draft ?? template.published);
  if (!content) {
    main.append(h('p', { class: 'page' }, 'This template has no published version yet.'));
    return () => undefined;
  }
  const dealerSlots = dealer && user.dealerId ? await api.dealerSlots(user.dealerId, templateId) : undefined;
  const definitions = new Map<string, SlotDefinition>((dealerSlots?.slots ?? content.slots ?? []).map((s) => [s.name, s]));
  /** The brand's own slot contents: what a dealer starts from, and what "left as the brand has it" means on save. */
  const brandSlots = brandSlotContents(template.format, content.body, [...definitions.keys()]);

  const status = h('span', { class: 'status', role: 'status' });
  const errors = h('div', { class: 'errors', 'aria-live': 'polite' });
  const meta = h('span', { class: 'meta' });
  const subject = h('input', { name: 'subject', class: 'subject', value: content.subject ?? '', readonly: dealer, placeholder: 'Subject (Liquid)' });
  let dirty = false;
  let lastField: HTMLInputElement | HTMLTextAreaElement | null = null;
  const remember = (field: HTMLInputElement | HTMLTextAreaElement) => field.addEventListener('focus', () => (lastField = field));
  remember(subject);

  const preview = new PreviewPane({
    templateId,
    brands,
    samples: samples.items,
    locale: template.locale,
    dealerId: user.dealerId ?? undefined,
    request: () => (dealer ? { slots: surface.slotValues() } : { body: surface.body(), subject: subject.value || undefined, draft: true }),
    onBrand: (brand) => surface.setTheme(canvasTheme(brand)),
  });
  const changed = () => {
    dirty = true;
    status.textContent = 'Unsaved changes';
    status.className = 'status';
    preview.refreshSoon();
  };
  subject.addEventListener('input', changed);

  const side = h('aside', { class: 'side' });
  const canvas = h('div', { class: 'canvas' });
  const surface: Surface =
    template.format === 'mjml'
      ? mjmlSurface({ canvas, side, dealer, theme: preview.currentBrand() && canvasTheme(preview.currentBrand()!), body: dealer ? fillMjmlSlots(content.body, dealerSlots?.values ?? {}) : content.body, definitions, changed, onCanvas: () => (lastField = null) })
      : dealer
        ? slotFieldsSurface({ canvas, definitions, values: { ...brandSlots, ...nonEmpty(dealerSlots?.values ?? {}) }, changed, remember })
        : codeSurface({ canvas, body: content.body, format: template.format, changed, remember });

  side.append(mergeFieldPicker(fields.groups, (text) => insertField(text)));
  if (!dealer && template.format === 'html') side.append(letterSlotsPanel(surface, definitions));
  if (dealer) side.append(dealerSlotsHelp(definitions));

  function insertField(text: string) {
    if (lastField && !lastField.readOnly) {
      const { selectionStart: start, selectionEnd: end, value } = lastField;
      const at = start ?? value.length;
      lastField.value = value.slice(0, at) + text + value.slice(end ?? at);
      lastField.setSelectionRange(at + text.length, at + text.length);
      lastField.dispatchEvent(new Event('input'));
      lastField.focus();
    } else if (!surface.insert(text)) {
      flash(status, 'Click into a text first, then pick a field.', 'error');
    }
  }

  const slotsToSave = (): SlotDefinition[] => surface.slotNames().map((name) => definitions.get(name) ?? { name, kind: 'rich-text' });

  function showErrors(error: unknown, body: string) {
    errors.replaceChildren();
    if (!(error instanceof ApiError)) return flash(status, (error as Error).message, 'error');
    flash(status, error.message, 'error');
    for (const e of error.errors) {
      const where = [e.line ? `line ${e.line}` : null, e.tagName ? `<${e.tagName}>` : null, e.field].filter(Boolean).join(' ');
      const line = lineOf(body, e.line);
      errors.append(
        h(
          'button',
          { type: 'button', class: 'error-item', onclick: () => surface.reveal(e) },
          h('strong', {}, where),
          ` ${e.message}`,
          line ? h('code', {}, line.length > 160 ? `${line.slice(0, 160)}…` : line) : null,
        ),
      );
    }
  }

  async function save(): Promise<boolean> {
    const body = surface.body();
    errors.replaceChildren();
    try {
      if (dealer) {
        // A slot left as the brand has it is sent empty, so it follows the brand's later changes.
        const values = Object.fromEntries(Object.entries(surface.slotValues()).map(([name, value]) => [name, value === brandSlots[name] ? '' : value]));
        await api.saveDealerSlots(user.dealerId!, templateId, values);
      } else {
        const saved = await api.saveTemplate(templateId, { body, subject: subject.value.trim() ? subject.value : null, slots: slotsToSave() });
        showMeta(saved);
      }
      dirty = false;
      flash(status, dealer ? 'Saved: your slots are in use from the next message on.' : 'Draft saved.');
      void preview.refresh();
      return true;
    } catch (error) {
      showErrors(error, body);
      return false;
    }
  }

  function showMeta(t: Pick<TemplateDetail, 'channel' | 'locale' | 'publishedVersion' | 'hasUnpublishedChanges'>) {
    meta.textContent = `${t.channel} · ${t.locale} · ${t.publishedVersion ? `published v${t.publishedVersion}` : 'not published'}${!dealer && t.hasUnpublishedChanges ? ' · unpublished changes' : ''}`;
  }
  showMeta(template);

  const versions = h('div', { class: 'versions', hidden: true });
  async function showVersions() {
    const { items } = await api.versions(templateId);
    versions.hidden = false;
    versions.replaceChildren(
      h('h3', {}, 'Published versions'),
      h(
        'ul',
        {},
        ...items.map((v) =>
          h(
            'li',
            {},
            `v${v.version} · ${new Date(v.publishedAt).toLocaleString()}${v.publishedBy ? ` · ${v.publishedBy}` : ''}${v.restoredFrom ? ` · restores v${v.restoredFrom}` : ''} `,
            h('button', { type: 'button', 'data-version': v.version, onclick: () => void rollback(v.version) }, 'Roll back to this'),
          ),
        ),
      ),
    );
  }
  async function rollback(version: number) {
    try {
      const restored = await api.rollback(templateId, version);
      const fresh = await api.template(templateId);
      const freshContent = fresh.draft ?? fresh.published;
      if (freshContent) {
        definitions.clear();
        for (const slot of freshContent.slots ?? []) definitions.set(slot.name, slot);
        surface.load(freshContent.body);
        subject.value = freshContent.subject ?? '';
      }
      showMeta(fresh);
      dirty = false;
      flash(status, `Version ${version} restored as version ${restored.version}.`);
      await showVersions();
      void preview.refresh();
    } catch (error) {
      flash(status, (error as Error).message, 'error');
    }
  }

  const buttons = dealer
    ? [h('button', { type: 'button', id: 'save', onclick: () => void save() }, 'Save')]
    : [
        h('button', { type: 'button', id: 'save', onclick: () => void save() }, 'Save draft'),
        h(
          'button',
          {
            type: 'button',
            id: 'publish',
            onclick: async () => {
              if (dirty && !(await save())) return;
              try {
                const published = await api.publish(templateId);
                flash(status, `Published as version ${published.version}.`);
                showMeta(await api.template(templateId));
                if (!versions.hidden) await showVersions();
              } catch (error) {
                showErrors(error, surface.body());
              }
            },
          },
          'Publish',
        ),
        h('button', { type: 'button', id: 'versions', onclick: () => void showVersions() }, 'Versions'),
      ];

  main.append(
    h(
      'section',
      { class: 'editor-page', 'data-format': template.format, 'data-mode': dealer ? 'dealer' : 'brand' },
      h('div', { class: 'toolbar' }, h('h1', {}, template.name), meta, template.format === 'text' ? null : subject, ...buttons, status),
      versions,
      h('div', { class: 'workspace' }, side, canvas, h('div', { class: 'right' }, errors, preview.el)),
    ),
  );
  void preview.refresh();
  const leave = (event: BeforeUnloadEvent) => {
    if (dirty) event.preventDefault();
  };
  window.addEventListener('beforeunload', leave);
  return () => {
    window.removeEventListener('beforeunload', leave);
    surface.destroy();
  };
}

const nonEmpty = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([, value]) => value));

function mjmlSurface(o: {
  canvas: HTMLElement;
  side: HTMLElement;
  dealer: boolean;
  theme: CanvasTheme | undefined;
  body: string;
  definitions: Map<string, SlotDefinition>;
  changed: () => void;
  onCanvas: () => void;
}): Surface {
  const panels = { blocks: h('div', { class: 'blocks' }), layers: h('div', { class: 'layers' }), traits: h('div', { class: 'traits' }), styles: h('div', { class: 'styles' }) };
  const slotPanel = h('div', { class: 'slot-panel' });
  const head = h('textarea', { name: 'mjml-head', class: 'code small', spellcheck: 'false' });
  let ready = false;
  const editor = new MjmlEditor({
    canvas: o.canvas,
    panels: o.dealer ? undefined : panels,
    mode: o.dealer ? 'dealer' : 'brand',
    mjml: o.body,
    theme: o.theme,
    onChange: () => ready && o.changed(),
    onSelect: (component) => {
      o.onCanvas();
      if (!o.dealer) renderSlotPanel(slotPanel, editor, component, o.definitions, o.changed);
      else renderImageSlot(slotPanel, component, o.changed);
    },
  });
  ready = true;
  // A handle for browser tests and the console: the editor of the page shown.
  window.forecourtStudio = { editor };
  head.value = editor.getHead();
  head.addEventListener('input', () => editor.setHead(head.value));
  if (o.dealer) o.side.append(slotPanel);
  else {
    o.side.append(
      tabs([
        ['Blocks', panels.blocks],
        ['Layers', panels.layers],
        ['Settings', h('div', {}, slotPanel, panels.traits)],
        ['Styles', panels.styles],
        ['Head', h('div', {}, h('p', { class: 'hint' }, 'The mj-head (title, preview text, attributes, styles) as written; kept as is.'), head)],
      ]),
    );
    renderSlotPanel(slotPanel, editor, undefined, o.definitions, o.changed);
  }
  return {
    el: o.canvas,
    body: () => editor.getMjml(),
    slotNames: () => [...editor.slotComponents().keys()],
    slotValues: () => Object.fromEntries([...editor.slotComponents()].map(([name, component]) => [name, editor.slotContent(component)])),
    insert: (text) => editor.insertText(text),
    reveal: (error) => {
      if (error.tagName) editor.selectTag(error.tagName);
    },
    load: (body) => {
      editor.load(body);
      head.value = editor.getHead();
    },
    setTheme: (theme) => editor.setTheme(theme),
    destroy: () => {
      if (window.forecourtStudio?.editor === editor) delete window.forecourtStudio;
      editor.destroy();
    },
  };
}

/** Dealer mode: an image slot takes the address of the dealer's picture (a text slot is edited in place). */
function renderImageSlot(panel: HTMLElement, component: Component | undefined, changed: () => void): void {
  if (!component || component.get('tagName') !== 'mj-image' || !slotNamesOf(component.getAttributes()['css-class']).length) {
    panel.replaceChildren();
    return;
  }
  const src = h('input', { type: 'url', name: 'slot-image-src', value: String(component.getAttributes().src ?? ''), placeholder: 'https://…' });
  src.addEventListener('change', () => {
    component.addAttributes({ src: src.value.trim() });
    changed();
  });
  panel.replaceChildren(h('fieldset', {}, h('legend', {}, 'Your image'), h('label', {}, 'Image address', src)));
}

/** Brand mode: mark the selected text or image as a slot the dealers may fill. */
function renderSlotPanel(panel: HTMLElement, editor: MjmlEditor, component: Component | undefined, definitions: Map<string, SlotDefinition>, changed: () => void): void {
  const tag = component?.get('tagName');
  if (!component || (tag !== 'mj-text' && tag !== 'mj-image')) {
    panel.replaceChildren(h('p', { class: 'hint' }, 'Select a text or an image to open it to dealers as a slot.'));
    return;
  }
  let current: string | undefined = slotNamesOf(component.getAttributes()['css-class'])[0];
  const definition = current ? (definitions.get(current) ?? { name: current, kind: tag === 'mj-image' ? 'image' : 'rich-text' }) : undefined;
  const open = h('input', { type: 'checkbox', name: 'slot-open', checked: !!current });
  const name = h('input', { name: 'slot-name', value: current ?? '', pattern: '[a-z0-9-]+', placeholder: 'e.g. signature' });
  const kind = h('select', { name: 'slot-kind' }, ...SLOT_KINDS.map((k) => h('option', { value: k }, k)));
  kind.value = definition?.kind ?? (tag === 'mj-image' ? 'image' : 'rich-text');
  const maxLength = h('input', { name: 'slot-max-length', type: 'number', min: '1', value: definition?.maxLength ?? '' });
  const label = h('input', { name: 'slot-label', value: definition?.label ?? '', placeholder: 'What the dealer writes here' });
  // The inputs keep what is typed; the component is marked once the box is ticked and the name is valid.
  const apply = () => {
    const slotName = name.value.trim().toLowerCase();
    if (current && current !== slotName) definitions.delete(current);
    if (!open.checked || !/^[a-z][a-z0-9-]*$/.test(slotName)) {
      if (current) editor.markSlot(component, null);
      current = undefined;
    } else {
      definitions.set(slotName, {
        name: slotName,
        kind: kind.value as SlotKind,
        ...(Number(maxLength.value) > 0 ? { maxLength: Number(maxLength.value) } : {}),
        ...(label.value.trim() ? { label: label.value.trim() } : {}),
      });
      editor.markSlot(component, slotName);
      current = slotName;
    }
    changed();
  };
  for (const input of [open, name, kind, maxLength, label]) input.addEventListener('change', apply);
  panel.replaceChildren(
    h(
      'fieldset',
      {},
      h('legend', {}, 'Dealer slot'),
      h('label', { class: 'inline' }, open, ' Dealers may change this'),
      h('label', {}, 'Name', name),
      h('label', {}, 'Kind', kind),
      h('label', {}, 'Maximum length', maxLength),
      h('label', {}, 'Label', label),
    ),
  );
}

function codeSurface(o: { canvas: HTMLElement; body: string; format: string; changed: () => void; remember: (field: HTMLTextAreaElement) => void }): Surface {
  const area = h('textarea', { name: 'body', class: 'code', spellcheck: 'false', 'aria-label': o.format === 'html' ? 'Letter HTML and CSS' : 'Text' });
  area.value = o.body;
  area.addEventListener('input', o.changed);
  o.remember(area);
  o.canvas.append(
    h(
      'p',
      { class: 'hint' },
      o.format === 'html'
        ? 'A4 letter in HTML and CSS. Theme tokens: [[ theme.primaryColor ]], [[ theme.fontFamily ]], [[ theme.logoUrl ]]; a dealer slot is an element with data-slot="name".'
        : 'Plain text with Liquid merge fields.',
    ),
    area,
  );
  return {
    el: area,
    body: () => area.value,
    slotNames: () => (o.format === 'html' ? htmlSlotNames(area.value) : []),
    slotValues: () => ({}),
    insert: () => false,
    reveal: (error) => {
      if (!error.line) return;
      const lines = area.value.split('\n');
      const start = lines.slice(0, error.line - 1).join('\n').length + (error.line > 1 ? 1 : 0);
      area.focus();
      area.setSelectionRange(start, start + (lines[error.line - 1]?.length ?? 0));
    },
    load: (body) => (area.value = body),
    setTheme: () => undefined,
    destroy: () => undefined,
  };
}

/** A dealer with a letter or a text: the open slots as fields; the rest is the brand's. */
function slotFieldsSurface(o: {
  canvas: HTMLElement;
  definitions: Map<string, SlotDefinition>;
  values: Record<string, string>;
  changed: () => void;
  remember: (field: HTMLTextAreaElement) => void;
}): Surface {
  const areas = new Map<string, HTMLTextAreaElement>();
  for (const d of o.definitions.values()) {
    const area = h('textarea', { name: `slot-${d.name}`, class: 'code small', maxlength: d.maxLength ?? undefined });
    area.value = o.values[d.name] ?? '';
    area.addEventListener('input', o.changed);
    o.remember(area);
    areas.set(d.name, area);
  }
  o.canvas.append(
    areas.size
      ? h('div', { class: 'slot-fields' }, ...[...o.definitions.values()].map((d) => h('label', {}, `${d.label ?? d.name} (${d.kind}${d.maxLength ? `, at most ${d.maxLength}` : ''})`, areas.get(d.name)!)))
      : h('p', { class: 'hint' }, 'The brand has opened no slots in this template.'),
  );
  return {
    el: o.canvas,
    body: () => '',
    slotNames: () => [...areas.keys()],
    slotValues: () => Object.fromEntries([...areas].map(([name, area]) => [name, area.value])),
    insert: () => false,
    reveal: () => undefined,
    load: () => undefined,
    setTheme: () => undefined,
    destroy: () => undefined,
  };
}

function letterSlotsPanel(surface: Surface, definitions: Map<string, SlotDefinition>): HTMLElement {
  const list = h('div', {});
  const render = () => {
    const names = surface.slotNames();
    list.replaceChildren(
      ...names.map((name) => {
        const d = definitions.get(name) ?? { name, kind: 'rich-text' as SlotKind };
        definitions.set(name, d);
        const kind = h('select', { name: `slot-kind-${name}` }, ...SLOT_KINDS.map((k) => h('option', { value: k }, k)));
        kind.value = d.kind;
        const max = h('input', { type: 'number', min: '1', name: `slot-max-${name}`, value: d.maxLength ?? '' });
        const update = () => definitions.set(name, { ...d, kind: kind.value as SlotKind, ...(Number(max.value) > 0 ? { maxLength: Number(max.value) } : { maxLength: undefined }) });
        kind.addEventListener('change', update);
        max.addEventListener('change', update);
        return h('fieldset', {}, h('legend', {}, name), h('label', {}, 'Kind', kind), h('label', {}, 'Maximum length', max));
      }),
    );
    if (!names.length) list.append(h('p', { class: 'hint' }, 'No slots: add data-slot="name" to an element to open it to dealers.'));
  };
  render();
  surface.el.addEventListener('change', render);
  return h('details', { class: 'panel', open: true }, h('summary', {}, 'Dealer slots'), list);
}

function dealerSlotsHelp(definitions: Map<string, SlotDefinition>): HTMLElement {
  return h(
    'details',
    { class: 'panel', open: true },
    h('summary', {}, 'What you can change'),
    definitions.size
      ? h('ul', {}, ...[...definitions.values()].map((d) => h('li', {}, h('strong', {}, d.name), ` ${d.label ?? ''} (${d.kind}${d.maxLength ? `, at most ${d.maxLength} characters` : ''})`)))
      : h('p', {}, 'The brand has opened nothing in this template.'),
    h('p', { class: 'hint' }, 'Everything else is the brand’s design and stays as it is.'),
  );
}

/** The merge fields from the data model; a click inserts `{{ path }}` where the cursor is. */
function mergeFieldPicker(groups: MergeFieldGroup[], insert: (text: string) => void): HTMLElement {
  return h(
    'details',
    { class: 'panel merge-fields', open: true },
    h('summary', {}, 'Merge fields'),
    ...groups.map((group) =>
      h(
        'div',
        { class: 'field-group' },
        h('h4', {}, group.label),
        ...group.fields.map((field) => {
          const button = h('button', { type: 'button', class: 'field', 'data-path': field.path, title: field.example ? `e.g. ${field.example}` : field.path }, field.label);
          // The text being edited keeps its cursor: no focus change, and GrapesJS (which ends the editing on a
          // mousedown anywhere in the page) does not hear of it, as with its own text toolbar.
          button.addEventListener('mousedown', (event) => {
            event.preventDefault();
            event.stopPropagation();
          });
          button.addEventListener('click', () => insert(`{{ ${field.path} }}`));
          return button;
        }),
      ),
    ),
  );
}

function tabs(entries: [string, HTMLElement][]): HTMLElement {
  const bar = h('div', { class: 'tab-bar', role: 'tablist' });
  const bodies = entries.map(([, el]) => h('div', { class: 'tab-body', role: 'tabpanel' }, el));
  entries.forEach(([label], i) => {
    const button = h('button', { type: 'button', role: 'tab', 'data-tab': label.toLowerCase() }, label);
    button.addEventListener('click', () => select(i));
    bar.append(button);
  });
  const select = (index: number) => {
    bodies.forEach((b, i) => (b.hidden = i !== index));
    [...bar.children].forEach((b, i) => b.setAttribute('aria-selected', String(i === index)));
  };
  select(0);
  return h('div', { class: 'tabs' }, bar, ...bodies);
}
