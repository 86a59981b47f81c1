import type { Component, Editor } from 'grapesjs';
import { RAW_TAGS, takePacked } from './mjml-document';

/** Component type ids this loader defines (the raw MJML elements keep their tag name as type). */
export const RAW_TYPES: readonly string[] = RAW_TAGS;

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/**
 * `mj-table` and `mj-raw` as opaque components: their inner markup (table rows with Liquid loops,
 * raw HTML) is kept as a string on the model (`raw`) and written back untouched; the canvas shows
 * it as a plain table or block. Editing it is done in the markup, not in the canvas.
 */
export function loadRawComponents(editor: Editor): void {
  for (const tag of RAW_TAGS) {
    editor.Components.addType(tag, {
      isComponent: (el: HTMLElement) => {
        if (el.tagName?.toLowerCase() !== tag) return false;
        return { type: tag, tagName: tag, raw: takePacked(el.id) ?? el.innerHTML, components: [] };
      },
      model: {
        defaults: {
          tagName: tag,
          name: tag === 'mj-table' ? 'Table' : 'Raw HTML',
          droppable: false,
          editable: false,
          stylable: false,
          raw: '',
          traits: tag === 'mj-table' ? ['css-class', 'padding', 'width'] : [],
        },
        toHTML(this: Component) {
          const attributes = { ...this.getAttributes() };
          delete attributes.id;
          const text = Object.entries(attributes)
            .filter(([, value]) => value !== undefined && value !== '')
            .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
            .join('');
          return `<${tag}${text}>${this.get('raw') ?? ''}</${tag}>`;
        },
      },
      view: {
        // Inside a column, children sit in a table body (mj-text is a row too).
        tagName: () => (tag === 'mj-table' ? 'tr' : 'div'),
        onRender(this: { el: HTMLElement; model: Component }) {
          const raw = String(this.model.get('raw') ?? '');
          // The rows are shown as written; Liquid between rows ends up as text above the table, which is fine for editing.
          this.el.innerHTML =
            tag === 'mj-table' ? `<td style="padding:8px 24px"><table style="width:100%;border-collapse:collapse;font-size:13px">${raw}</table></td>` : raw;
          this.el.style.pointerEvents = 'all';
        },
      },
    });
  }
  // grapesjs-mjml keeps a text's inner HTML as its content; it is taken from the packed markup, not
  // from the parsed DOM, where a table with Liquid between its rows would have lost the Liquid.
  editor.Components.addType('mj-text', {
    isComponent: (el: HTMLElement) => {
      if (el.tagName?.toLowerCase() !== 'mj-text') return false;
      return { type: 'mj-text', content: takePacked(el.id) ?? el.innerHTML, components: [] };
    },
  });
}
