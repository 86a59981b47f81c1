import type { FieldError } from '../api';
import { h } from '../dom';

/** A setting as a service's JSON schema describes it (plugins/sdk/src/manifest.ts). */
export interface SettingsProperty {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: SettingsProperty;
}

export interface Bound {
  minimum?: number;
  maximum?: number;
  allowed?: unknown[];
}

/** A form part that can be read back and can show the server's errors beside its fields. */
export interface FieldSet {
  el: HTMLElement;
  value(): Record<string, unknown>;
  /** Shows the errors whose field starts with `prefix`; answers the ones it could not place. */
  showErrors(errors: FieldError[], prefix: string): FieldError[];
  clearErrors(): void;
}

let seq = 0;
const uid = (name: string) => `f${++seq}-${name.replace(/\W+/g, '-')}`;

/** An error line for a field, tied to its input with aria-describedby. */
export function errorSlot(input: HTMLElement, name: string): HTMLElement {
  const slot = h('span', { class: 'field-error', id: uid(`${name}-error`), 'data-field-error': name, role: 'alert' });
  input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), slot.id].filter(Boolean).join(' '));
  return slot;
}

/**
 * Inputs generated from a service's settings schema: numbers with the range that applies (the
 * service's, narrowed by the brand's bounds), lists of choices as checkboxes, yes/no as a checkbox.
 * The browser does not enforce the range (the form is `novalidate`): the server is the judge and
 * names the field it refuses, shown beside it.
 */
export function settingsFields(properties: Record<string, SettingsProperty>, values: Record<string, unknown>, bounds: Record<string, Bound>, readOnly: boolean): FieldSet {
  const readers: Record<string, () => unknown> = {};
  const slots: Record<string, HTMLElement> = {};
  const rows = Object.entries(properties).map(([name, prop]) => {
    const bound = bounds[name] ?? {};
    const title = prop.title ?? name;
    const current = values[name] ?? prop.default;
    if (prop.type === 'integer' || prop.type === 'number') {
      const min = Math.max(prop.minimum ?? -Infinity, bound.minimum ?? -Infinity);
      const max = Math.min(prop.maximum ?? Infinity, bound.maximum ?? Infinity);
      const input = h('input', { type: 'number', name: `settings.${name}`, id: uid(name), step: prop.type === 'integer' ? 1 : 'any', value: current === undefined ? '' : String(current), disabled: readOnly });
      const range = [Number.isFinite(min) ? `from ${min}` : '', Number.isFinite(max) ? `to ${max}` : ''].filter(Boolean).join(' ');
      const branded = bound.minimum !== undefined || bound.maximum !== undefined ? ' (set by the brand)' : '';
      const hint = h('span', { class: 'hint', id: uid(`${name}-hint`) }, range ? `Allowed ${range}${branded}.` : '');
      input.setAttribute('aria-describedby', hint.id);
      slots[name] = errorSlot(input, `settings.${name}`);
      readers[name] = () => (input.value.trim() === '' ? undefined : Number(input.value));
      return h('div', { class: 'setting' }, h('label', { for: input.id }, title), input, hint, slots[name]);
    }
    if (prop.type === 'array' && prop.items?.enum) {
      const chosen = Array.isArray(current) ? (current as unknown[]) : [];
      // The chosen values first, in their order (it can matter, e.g. channels tried in turn), then the rest.
      const options = [...chosen.filter((v) => prop.items!.enum!.includes(v)), ...prop.items.enum.filter((v) => !chosen.includes(v))];
      const boxes = options.map((option) => {
        const allowed = !bound.allowed || bound.allowed.includes(option);
        const box = h('input', { type: 'checkbox', name: `settings.${name}`, value: String(option), checked: chosen.includes(option), disabled: readOnly || (!allowed && !chosen.includes(option)) });
        return { option, box, label: h('label', { class: 'inline' }, box, String(option), allowed ? '' : h('span', { class: 'hint' }, ' (not allowed by the brand)')) };
      });
      const fieldset = h('fieldset', { class: 'setting' }, h('legend', {}, title), ...boxes.map((b) => b.label));
      if (prop.description) fieldset.append(h('p', { class: 'hint' }, prop.description));
      slots[name] = errorSlot(fieldset, `settings.${name}`);
      fieldset.append(slots[name]);
      readers[name] = () => boxes.filter((b) => b.box.checked).map((b) => b.option);
      return fieldset;
    }
    if (prop.type === 'boolean') {
      const box = h('input', { type: 'checkbox', name: `settings.${name}`, checked: current === true, disabled: readOnly });
      slots[name] = errorSlot(box, `settings.${name}`);
      readers[name] = () => box.checked;
      return h('div', { class: 'setting' }, h('label', { class: 'inline' }, box, title), slots[name]);
    }
    if (prop.type === 'string' && prop.enum) {
      const select = h('select', { name: `settings.${name}`, id: uid(name), disabled: readOnly }, ...prop.enum.map((v) => h('option', { value: String(v) }, String(v))));
      select.value = String(current ?? '');
      slots[name] = errorSlot(select, `settings.${name}`);
      readers[name] = () => select.value;
      return h('div', { class: 'setting' }, h('label', { for: select.id }, title), select, slots[name]);
    }
    if (prop.type === 'string') {
      const input = h('input', { name: `settings.${name}`, id: uid(name), value: current === undefined ? '' : String(current), disabled: readOnly });
      slots[name] = errorSlot(input, `settings.${name}`);
      readers[name] = () => input.value;
      return h('div', { class: 'setting' }, h('label', { for: input.id }, title), input, slots[name]);
    }
    // Nested objects have no form of their own: shown as they are, kept as they are.
    readers[name] = () => current;
    return h('div', { class: 'setting' }, h('span', {}, title), h('code', {}, JSON.stringify(current)));
  });
  return {
    el: h('div', { class: 'settings' }, ...rows),
    value: () => Object.fromEntries(Object.entries(readers).map(([name, read]) => [name, read()]).filter(([, v]) => v !== undefined)),
    showErrors: (errors, prefix) => placeErrors(errors, prefix, slots),
    clearErrors: () => Object.values(slots).forEach((slot) => (slot.textContent = '')),
  };
}

/** Puts each error beside its field (`prefix` + the setting's name, maybe followed by `.detail`). */
export function placeErrors(errors: FieldError[], prefix: string, slots: Record<string, HTMLElement>): FieldError[] {
  const left: FieldError[] = [];
  for (const error of errors) {
    if (!error.field.startsWith(prefix)) {
      left.push(error);
      continue;
    }
    const name = error.field.slice(prefix.length).split('.')[0];
    const slot = slots[name];
    if (!slot) left.push(error);
    else slot.textContent = [slot.textContent, error.message].filter(Boolean).join('; ');
  }
  return left;
}
