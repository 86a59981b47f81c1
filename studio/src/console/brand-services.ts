import { ApiError, type FieldError } from '../api';
import { flash, h } from '../dom';
import { consoleApi, type BrandPolicy, type CatalogService, type SettingBound } from './console-api';
import { errorSlot, placeErrors } from './settings-form';

const MODES = [
  ['optional', 'Optional: each dealer decides'],
  ['mandatory', 'Mandatory: on for every dealer'],
  ['unavailable', 'Unavailable: not offered'],
] as const;

/** The brand's policy per service: whether dealers may, must or cannot use it, the subsidy, and bounds on their settings. */
export async function showBrandServices(main: HTMLElement, brandId: string): Promise<void> {
  const list = h('div', { class: 'services' }, h('p', {}, 'Loading…'));
  main.append(
    h(
      'section',
      { class: 'page console-page' },
      h('h1', {}, 'Service policies'),
      h('p', { class: 'hint' }, "A dealer selling several brands gets the strictest: mandatory if any brand makes it so, and every brand's bounds."),
      list,
    ),
  );
  const [catalog, policies] = await Promise.all([consoleApi.catalog(), consoleApi.brandPolicies(brandId)]);
  list.replaceChildren(...catalog.map((entry) => policyCard(brandId, entry, policies.find((p) => p.serviceKey === entry.key)!)));
}

function policyCard(brandId: string, entry: CatalogService, policy: BrandPolicy): HTMLElement {
  const key = entry.key;
  const status = h('span', { class: 'status', role: 'status' });
  const slots: Record<string, HTMLElement> = {};
  const mode = h('select', { name: 'mode', id: `mode-${key}` }, ...MODES.map(([value, label]) => h('option', { value }, label)));
  mode.value = policy.mode;
  slots.mode = errorSlot(mode, 'mode');
  const subsidy = h('input', { type: 'number', name: 'subsidyPercent', id: `subsidy-${key}`, min: 0, max: 100, step: 1, value: String(policy.subsidyPercent) });
  slots.subsidyPercent = errorSlot(subsidy, 'subsidyPercent');

  // Bounds: a narrower range for number settings, fewer allowed values for list settings.
  const boundSlots: Record<string, HTMLElement> = {};
  const readers: Record<string, () => SettingBound | undefined> = {};
  const boundRows = Object.entries(entry.settingsSchema.properties).flatMap(([name, prop]): HTMLElement[] => {
    const bound = policy.settingsBounds[name] ?? {};
    if (prop.type === 'integer' || prop.type === 'number') {
      const min = h('input', { type: 'number', name: `bounds.${name}.minimum`, 'aria-label': `${prop.title ?? name}: lowest a dealer may choose`, value: bound.minimum ?? '', placeholder: String(prop.minimum ?? '') });
      const max = h('input', { type: 'number', name: `bounds.${name}.maximum`, 'aria-label': `${prop.title ?? name}: highest a dealer may choose`, value: bound.maximum ?? '', placeholder: String(prop.maximum ?? '') });
      boundSlots[name] = errorSlot(min, `settingsBounds.${name}`);
      max.setAttribute('aria-describedby', boundSlots[name].id);
      readers[name] = () => {
        const b: SettingBound = {};
        if (min.value.trim() !== '') b.minimum = Number(min.value);
        if (max.value.trim() !== '') b.maximum = Number(max.value);
        return Object.keys(b).length ? b : undefined;
      };
      return [h('div', { class: 'setting bound' }, h('span', {}, prop.title ?? name), h('span', { class: 'range' }, min, ' to ', max), h('span', { class: 'hint' }, `service allows ${prop.minimum ?? '…'} to ${prop.maximum ?? '…'}`), boundSlots[name])];
    }
    if (prop.type === 'array' && prop.items?.enum) {
      const values = prop.items.enum;
      const boxes = values.map((v) => ({ v, box: h('input', { type: 'checkbox', name: `bounds.${name}.allowed`, value: String(v), checked: !bound.allowed || bound.allowed.includes(v) }) }));
      const fieldset = h('fieldset', { class: 'setting bound' }, h('legend', {}, `${prop.title ?? name}: values dealers may use`), ...boxes.map((b) => h('label', { class: 'inline' }, b.box, String(b.v))));
      boundSlots[name] = errorSlot(fieldset, `settingsBounds.${name}`);
      fieldset.append(boundSlots[name]);
      readers[name] = () => {
        const allowed = boxes.filter((b) => b.box.checked).map((b) => b.v);
        return allowed.length === values.length ? undefined : { allowed };
      };
      return [fieldset];
    }
    return [];
  });
  const formErrors = h('div', { class: 'field-error', role: 'alert' });
  const save = h('button', { type: 'submit' }, 'Save policy');
  const form = h(
    'form',
    { class: 'policy', novalidate: true, 'data-policy': key },
    h('div', { class: 'setting' }, h('label', { for: mode.id }, 'Mode'), mode, slots.mode),
    h('div', { class: 'setting' }, h('label', { for: subsidy.id }, 'Subsidy (% of the cost the brand pays for messages about its vehicles)'), subsidy, slots.subsidyPercent),
    boundRows.length ? h('fieldset', {}, h('legend', {}, 'Bounds on dealer settings (empty: as the service allows)'), ...boundRows) : null,
    formErrors,
    h('div', { class: 'actions' }, save, status),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const slot of [...Object.values(slots), ...Object.values(boundSlots), formErrors]) slot.textContent = '';
    const settingsBounds = Object.fromEntries(Object.entries(readers).map(([n, read]) => [n, read()]).filter(([, b]) => b !== undefined));
    save.disabled = true;
    try {
      await consoleApi.setBrandPolicy(brandId, key, { mode: mode.value as BrandPolicy['mode'], subsidyPercent: subsidy.value === '' ? undefined : Number(subsidy.value), settingsBounds });
      flash(status, 'Policy saved.');
    } catch (error) {
      const errors: FieldError[] = error instanceof ApiError ? error.errors : [];
      const left = placeErrors(placeErrors(errors, 'settingsBounds.', boundSlots), '', slots);
      formErrors.textContent = left.length ? left.map((e) => `${e.field}: ${e.message}`).join('; ') : errors.length ? '' : (error as Error).message;
      flash(status, 'Not saved.', 'error');
    } finally {
      save.disabled = false;
    }
  });
  return h('section', { class: 'service-card', 'data-service': key }, h('header', {}, h('h2', {}, entry.name)), h('p', {}, entry.description), form);
}
