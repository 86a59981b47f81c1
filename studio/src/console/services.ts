import { ApiError, type FieldError } from '../api';
import { flash, h } from '../dom';
import { consoleApi, euros, today, type CatalogService, type DealerService, type FlowStep, type RunSummary } from './console-api';
import { errorSlot, placeErrors, settingsFields } from './settings-form';

const MODE_REASON: Record<string, string> = {
  mandatory: 'Mandatory: your brand makes this service compulsory, so it stays on.',
  unavailable: 'Not offered by your brand.',
};

/**
 * The dealer's services: each one's switch, monthly budget and settings (within the brand's
 * bounds), its flow read-only, and a dry run that prices a day without sending anything.
 */
export async function showServices(main: HTMLElement, dealerId: string, readOnly: boolean): Promise<() => void> {
  const list = h('div', { class: 'services' }, h('p', {}, 'Loading…'));
  const preview = dryRunPanel(dealerId);
  main.append(
    h(
      'section',
      { class: 'page console-page' },
      h('h1', {}, 'Services'),
      readOnly ? h('p', { class: 'hint' }, 'You can see the services; a dealer admin switches them and sets their budget and settings.') : null,
      list,
      preview.el,
    ),
  );
  const [catalog, services] = await Promise.all([consoleApi.catalog(), consoleApi.dealerServices(dealerId)]);
  list.replaceChildren(...services.map((s) => serviceCard(dealerId, catalog.find((c) => c.key === s.key)!, s, readOnly)));
  return preview.stop;
}

function serviceCard(dealerId: string, entry: CatalogService, initial: DealerService, readOnly: boolean): HTMLElement {
  let service = initial;
  const status = h('span', { class: 'status', role: 'status' });
  const locked = service.mode !== 'optional';
  const toggle = h('input', { type: 'checkbox', role: 'switch', name: 'enabled', 'data-switch': service.key, checked: service.enabled, disabled: readOnly || locked });
  const reason = MODE_REASON[service.mode];
  const stateBadge = h('span', { class: `state state-${service.state}`, 'data-state': service.key }, service.state);
  const budget = h('input', {
    type: 'number',
    name: 'monthlyBudget',
    min: 0,
    step: '0.01',
    inputmode: 'decimal',
    placeholder: 'no limit',
    value: service.monthlyBudgetCents === null ? '' : (service.monthlyBudgetCents / 100).toFixed(2),
    disabled: readOnly || service.mode === 'unavailable',
  });
  const budgetId = `budget-${service.key}`;
  budget.id = budgetId;
  const spent = h('span', { class: 'hint', id: `spent-${service.key}` }, `Spent this month: ${euros(service.spentThisMonthCents)}. Leave empty for no limit.`);
  budget.setAttribute('aria-describedby', spent.id);
  const budgetError = errorSlot(budget, 'monthlyBudgetCents');
  const fields = settingsFields(entry.settingsSchema.properties, service.settings, service.settingsBounds, readOnly || service.mode === 'unavailable');
  const formErrors = h('div', { class: 'field-error', role: 'alert' });
  const save = h('button', { type: 'submit', disabled: readOnly || service.mode === 'unavailable' }, 'Save budget and settings');
  const form = h(
    'form',
    { class: 'service-settings', novalidate: true, 'data-settings': service.key },
    h('div', { class: 'setting' }, h('label', { for: budgetId }, 'Monthly budget (euros)'), budget, spent, budgetError),
    fields.el,
    formErrors,
    h('div', { class: 'actions' }, save, status),
  );

  /** Sends the switch, the budget and the settings together, as the API takes them. */
  const send = async (enabled: boolean): Promise<boolean> => {
    fields.clearErrors();
    budgetError.textContent = '';
    formErrors.textContent = '';
    const euro = budget.value.trim();
    if (euro !== '' && !(Number(euro) >= 0)) {
      budgetError.textContent = 'must be an amount in euros, 0 or more';
      return false;
    }
    try {
      service = await consoleApi.setDealerService(dealerId, service.key, {
        enabled,
        monthlyBudgetCents: euro === '' ? undefined : Math.round(Number(euro) * 100),
        settings: fields.value(),
      });
      return true;
    } catch (error) {
      const errors: FieldError[] = error instanceof ApiError ? error.errors : [];
      const left = placeErrors(fields.showErrors(errors, 'settings.'), '', { monthlyBudgetCents: budgetError });
      formErrors.textContent = left.length ? left.map((e) => `${e.field}: ${e.message}`).join('; ') : errors.length ? '' : (error as Error).message;
      flash(status, 'Not saved: see the fields marked.', 'error');
      focusFirstError(form);
      return false;
    }
  };
  const refresh = () => {
    spent.textContent = `Spent this month: ${euros(service.spentThisMonthCents)}. Leave empty for no limit.`;
    toggle.checked = service.enabled;
    stateBadge.textContent = service.state;
    stateBadge.className = `state state-${service.state}`;
  };
  toggle.addEventListener('change', async () => {
    toggle.disabled = true;
    const saved = await send(toggle.checked);
    toggle.disabled = readOnly || locked;
    refresh();
    if (saved) flash(status, service.enabled ? 'Switched on.' : 'Switched off.');
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    if (await send(service.enabled)) flash(status, 'Saved.');
    save.disabled = false;
    refresh();
  });

  const switchId = `switch-${service.key}`;
  toggle.id = switchId;
  const prices = Object.entries(entry.pricing).map(([channel, cents]) => `${channel} ${euros(cents)}`).join(' · ');
  return h(
    'section',
    { class: `service-card ${service.mode}`, 'data-service': service.key, 'aria-labelledby': `title-${service.key}` },
    h(
      'header',
      {},
      h('h2', { id: `title-${service.key}` }, entry.name),
      stateBadge,
      h('label', { class: 'inline switch', for: switchId }, toggle, 'On'),
    ),
    reason ? h('p', { class: 'reason', 'data-reason': service.key }, reason) : null,
    h('p', {}, entry.description),
    h('p', { class: 'hint' }, `Channels: ${entry.channels.join(', ')}. Price per message: ${prices}.`),
    h('details', {}, h('summary', {}, 'Budget and settings'), form),
    h('details', {}, h('summary', {}, 'Flow'), flowView(entry.flow)),
  );
}

/** Moves the focus to the first field the server refused, so keyboard and screen reader users land on it. */
function focusFirstError(form: HTMLElement): void {
  const error = form.querySelector<HTMLElement>('[data-field-error]:not(:empty)');
  const field = error && form.querySelector<HTMLElement>(`[aria-describedby~="${error.id}"]`);
  (field?.matches('fieldset') ? field.querySelector<HTMLElement>('input:not([disabled])') : field)?.focus();
}

const days = (d: number | { setting: string }) => (typeof d === 'number' ? `${d} days` : `the "${d.setting}" setting`);
const channels = (c: string[] | { setting: string }) => (Array.isArray(c) ? c.join(', then ') : `the channels of the "${c.setting}" setting`);

/** The service's steps in order, read-only: when each goes out and over which channels. */
function flowView(flow: FlowStep[]): HTMLElement {
  return h(
    'ol',
    { class: 'flow' },
    ...flow.map((step) =>
      h(
        'li',
        {},
        h('strong', {}, step.id),
        step.type === 'send'
          ? ` — ${typeof step.at === 'number' && step.at === 0 ? 'at the start' : `after ${days(step.at)}`}, by ${channels(step.channels)}${step.evenIfBooked ? ', even when an appointment is booked' : ''}`
          : ` — ${days(step.days)} before a booked appointment, by ${channels(step.channels)}`,
        h('span', { class: 'hint' }, ` (template ${step.template})`),
      ),
    ),
  );
}

/** Prices a day for the dealer without writing or sending anything; shows the run's progress while it plans. */
function dryRunPanel(dealerId: string): { el: HTMLElement; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const date = h('input', { type: 'date', name: 'asOf', id: 'dry-run-date', value: today(), required: true });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Dry run progress' });
  const status = h('span', { class: 'status', role: 'status' });
  const result = h('div', { class: 'dry-run-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Preview cost');
  const form = h(
    'form',
    { class: 'dry-run', id: 'dry-run' },
    h('h2', {}, 'What would a day send and cost?'),
    h('p', { class: 'hint' }, 'A dry run plans the chosen day with the services as they are set now and prices it; nothing is written or sent.'),
    h('div', { class: 'filters' }, h('label', { for: 'dry-run-date' }, 'Day'), date, button, progress, status),
    result,
  );
  const show = (run: RunSummary) => {
    progress.value = run.progress.dealers ? run.progress.dealersDone / run.progress.dealers : 0;
    if (run.status === 'running') return;
    progress.hidden = true;
    button.disabled = false;
    if (run.status === 'failed') {
      flash(status, `The dry run failed: ${run.error ?? 'unknown error'}`, 'error');
      return;
    }
    flash(status, `Planned ${run.asOf}.`);
    const byChannel = Object.entries(run.messages.byChannel);
    const skipped = Object.entries(run.skipped);
    result.replaceChildren(
      h('p', { class: 'cost' }, 'Cost: ', h('strong', { 'data-cost': String(run.costCents) }, euros(run.costCents)), ` for ${run.messages.total} messages (${run.occasions} occasions).`),
      h(
        'table',
        { class: 'data' },
        h('caption', {}, 'Messages by channel'),
        h('tr', {}, h('th', { scope: 'col' }, 'Channel'), h('th', { scope: 'col' }, 'Messages')),
        ...(byChannel.length ? byChannel.map(([c, n]) => h('tr', {}, h('td', {}, c), h('td', {}, String(n)))) : [h('tr', {}, h('td', { colspan: 2 }, 'none'))]),
      ),
      h('p', {}, `Held (over budget or waiting): ${run.held}.`),
      skipped.length ? h('div', {}, h('h3', {}, 'Skipped'), h('ul', {}, ...skipped.map(([why, n]) => h('li', {}, `${why}: ${n}`)))) : h('p', {}, 'Nothing skipped.'),
    );
  };
  const poll = async (runId: string) => {
    try {
      const run = await consoleApi.run(runId);
      show(run);
      if (run.status === 'running') timer = setTimeout(() => void poll(runId), 500);
    } catch (error) {
      button.disabled = false;
      progress.hidden = true;
      flash(status, (error as Error).message, 'error');
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTimeout(timer);
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    result.replaceChildren();
    flash(status, 'Planning…');
    try {
      const run = await consoleApi.startRun({ asOf: date.value, dealerIds: [dealerId], dryRun: true, wait: false });
      show(run);
      if (run.status === 'running') timer = setTimeout(() => void poll(run.id), 300);
    } catch (error) {
      button.disabled = false;
      progress.hidden = true;
      flash(status, (error as Error).message, 'error');
    }
  });
  return { el: form, stop: () => clearTimeout(timer) };
}
