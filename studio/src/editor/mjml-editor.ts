import grapesjs, { type Component, type Editor } from 'grapesjs';
import mjmlPlugin from 'grapesjs-mjml';
import 'grapesjs/dist/css/grapes.min.css';
import type { SlotDefinition } from '../api';
import { loadBlocks } from './blocks';
import { type CanvasTheme, loadCanvasTheme } from './canvas-theme';
import { loadRawComponents } from './components';
import { LOCKED, SLOT_CHILD, SLOT_EDITABLE } from './locks';
import { closeMjml, openMjml, PACKED_ID_PREFIX, slotNamesOf, withSlotClass } from './mjml-document';

export type EditorMode = 'brand' | 'dealer';

export interface MjmlEditorOptions {
  /** Where the canvas goes. */
  canvas: HTMLElement;
  /** Brand mode only: where the blocks, layers, settings and styles are shown. */
  panels?: { blocks: HTMLElement; layers: HTMLElement; traits: HTMLElement; styles: HTMLElement };
  mode: EditorMode;
  /** The master, with dealer slot values already filled in for a dealer. */
  mjml: string;
  /** Called after any change of the content (typing, moving, attributes). */
  onChange: () => void;
  /** Called when another component is selected (or none). */
  onSelect: (component: Component | undefined) => void;
  /** The brand look the canvas shows (the saved MJML keeps the tokens). */
  theme?: CanvasTheme;
}

const EDITING_MARK = 'data-fc-editing';

/** Commands that would let markup in or out around the model (GrapesJS and grapesjs-mjml ids). */
const IMPORT_COMMANDS = ['mjml-import', 'gjs-open-import-webpage', 'core:open-code', 'export-template'];

/**
 * GrapesJS with grapesjs-mjml, as the studio uses it. A brand admin gets the house blocks, layers,
 * settings and styles; a dealer gets the brand's design with every component locked except the
 * slots the brand opened (see locks.ts), no blocks, no styles and no code import. The server checks
 * the same, this only keeps the editor honest about it.
 */
export class MjmlEditor {
  readonly editor: Editor;
  private head = '';
  /** Set while content is being loaded: that is no edit. */
  private loading = false;
  private readonly canvas: { theme?: CanvasTheme; head: () => string };

  constructor(private readonly options: MjmlEditorOptions) {
    const { panels, mode } = options;
    this.canvas = { theme: options.theme, head: () => this.head };
    const dealer = mode === 'dealer';
    this.editor = grapesjs.init({
      container: options.canvas,
      height: '100%',
      width: 'auto',
      fromElement: false,
      storageManager: false,
      telemetry: false,
      // GrapesJS's icon font comes from a CDN by default; the studio's CSP allows no other origin.
      cssIcons: '',
      panels: { defaults: [] },
      blockManager: panels && !dealer ? { appendTo: panels.blocks } : { appendTo: document.createElement('div') },
      layerManager: panels && !dealer ? { appendTo: panels.layers } : { appendTo: document.createElement('div') },
      traitManager: panels && !dealer ? { appendTo: panels.traits } : { appendTo: document.createElement('div') },
      styleManager: panels && !dealer ? { appendTo: panels.styles } : { appendTo: document.createElement('div') },
      plugins: [
        (editor: Editor) =>
          mjmlPlugin(editor, {
            blocks: [],
            resetBlocks: true,
            useCustomTheme: false,
            overwriteExport: false,
            customComponents: [loadRawComponents, loadCanvasTheme(this.canvas)],
          }),
      ],
    });
    // The plugin adds its own import and device buttons; the studio has its own toolbar.
    for (const panel of [...this.editor.Panels.getPanels().models]) this.editor.Panels.removePanel(panel);
    if (dealer) {
      for (const command of IMPORT_COMMANDS) this.editor.Commands.add(command, { run: () => undefined });
      this.editor.Keymaps.removeAll();
    } else {
      loadBlocks(this.editor);
    }
    this.load(options.mjml);
    this.editor.on('component:add', (component: Component) => this.guard(component));
    this.editor.on('update', () => {
      if (!this.loading) options.onChange();
    });
    // Typing in a text reaches the model only when its editor closes; the preview should follow the typing.
    this.editor.on('component:input', () => options.onChange());
    this.editor.on('component:toggled', () => options.onSelect(this.editor.getSelected()));
  }

  /** Replaces the content (a whole MJML master). */
  load(mjml: string): void {
    const document = openMjml(mjml);
    this.loading = true;
    try {
      this.head = document.head;
      this.editor.setComponents(document.editable);
      // The ids that carried packed content through the parser have done their work (and would show in the settings).
      this.walk(this.editor.getWrapper(), (component) => {
        if (String(component.getAttributes().id ?? '').startsWith(PACKED_ID_PREFIX)) component.removeAttributes('id', { silent: true });
      });
      if (this.options.mode === 'dealer') this.lockAll();
      this.editor.UndoManager.clear();
    } finally {
      this.loading = false;
    }
  }

  /** Shows the canvas in another brand's look (the content is compiled again). */
  setTheme(theme: CanvasTheme): void {
    this.canvas.theme = theme;
    this.load(this.getMjml());
  }

  /** The master as MJML: the kept head, the edited body (with the text being typed), Liquid intact. */
  getMjml(): string {
    const editing = this.editor.getEditing();
    if (!editing) return closeMjml(this.editor.getHtml(), this.head);
    // The text being edited is marked for the length of one export (silently: a change would re-render it and end the typing).
    const attributes = editing.get('attributes') ?? {};
    editing.set('attributes', { ...attributes, [EDITING_MARK]: '1' }, { silent: true });
    let html: string;
    try {
      html = this.editor.getHtml();
    } finally {
      editing.set('attributes', attributes, { silent: true });
    }
    const tag = String(editing.get('tagName'));
    const start = html.search(new RegExp(`<${tag}\\b[^>]*\\s${EDITING_MARK}="1"[^>]*>`));
    const open = start < 0 ? -1 : html.indexOf('>', start);
    const close = html.indexOf(`</${tag}>`, open);
    if (start >= 0 && close > open) {
      const opening = html.slice(start, open + 1).replace(` ${EDITING_MARK}="1"`, '');
      html = html.slice(0, start) + opening + this.liveContent(editing) + html.slice(close);
    }
    return closeMjml(html, this.head);
  }

  /** The inner HTML of a text as it is on screen (while it is being typed in). */
  private liveContent(component: Component): string {
    const view = component.getView() as unknown as { getChildrenContainer?: () => HTMLElement } | undefined;
    return view?.getChildrenContainer?.().innerHTML ?? '';
  }

  getHead(): string {
    return this.head;
  }

  setHead(head: string): void {
    this.head = head.trim();
    this.options.onChange();
  }

  /** Every component that is a slot, by slot name. */
  slotComponents(): Map<string, Component> {
    const out = new Map<string, Component>();
    this.walk(this.editor.getWrapper(), (component) => {
      for (const name of slotNamesOf(component.getAttributes()['css-class'])) out.set(name, component);
    });
    return out;
  }

  /** A slot's content as the server stores it: the text's inner HTML, or an image's src. */
  slotContent(component: Component): string {
    if (component.get('tagName') === 'mj-image') return String(component.getAttributes().src ?? '');
    if (this.editor.getEditing() === component) return closeMjml(this.liveContent(component), '');
    const html = closeMjml(component.toHTML(), '');
    return html.replace(/^<[^>]+>/, '').replace(/<\/[a-z-]+>$/i, '');
  }

  /** Marks (or unmarks, with null) the selected text or image as a dealer slot. */
  markSlot(component: Component, name: string | null): void {
    const attributes = component.getAttributes();
    component.addAttributes({ 'css-class': withSlotClass(attributes['css-class'], name) });
    if (!withSlotClass(attributes['css-class'], name)) component.removeAttributes('css-class');
    this.options.onChange();
  }

  /** Inserts text at the cursor of the text being edited, else at the end of the selected text. */
  insertText(text: string): boolean {
    const { options } = this;
    const editing = this.editor.getEditing();
    const rte = this.editor.RichTextEditor.globalRte;
    if (editing && rte) {
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      this.plainSpaceBeforeCursor();
      rte.insertHTML(escaped);
      // insertHTML leaves the inserted text selected: typing on would replace it.
      this.editor.Canvas.getDocument()?.getSelection()?.collapseToEnd();
      options.onChange();
      return true;
    }
    const selected = this.editor.getSelected();
    if (selected && selected.get('tagName') === 'mj-text' && selected.get('editable') !== false) {
      selected.append({ type: 'textnode', content: text });
      this.options.onChange();
      return true;
    }
    return false;
  }

  /** A space typed last is kept by the browser as a no-break space; with a field after it, it is an ordinary space again. */
  private plainSpaceBeforeCursor(): void {
    const selection = this.editor.Canvas.getDocument()?.getSelection();
    const node = selection?.anchorNode;
    const offset = selection?.anchorOffset ?? 0;
    if (!selection || !node || node.nodeType !== Node.TEXT_NODE || !selection.isCollapsed || node.textContent?.[offset - 1] !== '\u00a0') return;
    (node as Text).replaceData(offset - 1, 1, ' ');
    selection.collapse(node, offset);
  }

  /** Selects the first component with this MJML tag (for a validation error that names one). */
  selectTag(tagName: string): boolean {
    let found: Component | undefined;
    this.walk(this.editor.getWrapper(), (component) => {
      if (!found && component.get('tagName') === tagName && component.get('selectable') !== false) found = component;
    });
    if (found) this.editor.select(found);
    return !!found;
  }

  destroy(): void {
    this.editor.destroy();
  }

  private lockAll(): void {
    this.walk(this.editor.getWrapper(), (component) => this.lock(component));
  }

  /** A dealer: the slot itself editable, its inside only through the text editor, everything else frozen. */
  private lock(component: Component): void {
    if (slotNamesOf(component.getAttributes()['css-class']).length) component.set(SLOT_EDITABLE);
    else if (this.slotAround(component)) component.set(SLOT_CHILD);
    else component.set(LOCKED);
  }

  /** Dealer mode: anything that appears outside a slot (a paste, a drop) is taken out again. */
  private guard(component: Component): void {
    // A load (a brand switch reloads the canvas) is the brand's content, locked by lockAll.
    if (this.options.mode !== 'dealer' || this.loading) return;
    if (this.slotAround(component)) component.set(SLOT_CHILD);
    else if (!slotNamesOf(component.getAttributes()['css-class']).length) component.remove();
  }

  private slotAround(component: Component): Component | undefined {
    for (let parent = component.parent(); parent; parent = parent.parent()) {
      if (slotNamesOf(parent.getAttributes()['css-class']).length) return parent;
    }
    return undefined;
  }

  private walk(component: Component | undefined, visit: (component: Component) => void): void {
    if (!component) return;
    visit(component);
    component.components().forEach((child: Component) => this.walk(child, visit));
  }
}

export type { SlotDefinition };
