import { flash, h } from '../dom';
import { CALL_OUTCOMES, consoleApi, today, type CallListEntry } from './console-api';

const LABEL: Record<string, string> = { appointment: 'Appointment booked', 'no-answer': 'No answer', declined: 'Declined', 'wrong-number': 'Wrong number' };

/** The day's call list: who to call about which vehicles and why, with a button per outcome. */
export async function showCallList(main: HTMLElement, dealerId: string): Promise<void> {
  const date = h('input', { type: 'date', name: 'date', id: 'call-date', value: today() });
  const list = h('div', { class: 'call-list', 'aria-live': 'polite' });
  main.append(h('section', { class: 'page console-page' }, h('h1', {}, 'Call list'), h('div', { class: 'filters' }, h('label', { for: 'call-date' }, 'Day'), date), list));
  const load = async () => {
    list.replaceChildren(h('p', {}, 'Loading…'));
    try {
      const { items } = await consoleApi.callList(dealerId, date.value);
      list.replaceChildren(...(items.length ? items.map((e) => entryCard(e)) : [h('p', {}, 'Nobody to call on this day.')]));
    } catch (error) {
      list.replaceChildren(h('p', { class: 'status error', role: 'alert' }, (error as Error).message));
    }
  };
  const entryCard = (entry: CallListEntry): HTMLElement => {
    const status = h('span', { class: 'status', role: 'status' });
    const outcomes = h('ul', { class: 'outcomes' }, ...entry.outcomes.map((o) => outcomeItem(o)));
    const when = h('input', { type: 'datetime-local', name: 'appointmentStartsAt', 'aria-label': 'Appointment starts at' });
    const record = async (outcome: string) => {
      if (outcome === 'appointment' && !when.value) {
        flash(status, 'Pick when the appointment starts first.', 'error');
        when.focus();
        return;
      }
      try {
        await consoleApi.recordOutcome(dealerId, entry.entryId, {
          outcome,
          appointmentStartsAt: outcome === 'appointment' ? new Date(when.value).toISOString() : undefined,
        });
        outcomes.append(outcomeItem({ outcome, appointmentStartsAt: outcome === 'appointment' ? new Date(when.value).toISOString() : undefined, at: new Date().toISOString() }));
        flash(status, `Recorded: ${LABEL[outcome]}.`);
      } catch (error) {
        flash(status, (error as Error).message, 'error');
      }
    };
    return h(
      'section',
      { class: 'call-entry', 'data-entry': entry.entryId },
      h('h2', {}, entry.customerName, ' ', entry.phone ? h('a', { href: `tel:${entry.phone}` }, entry.phone) : h('span', { class: 'hint' }, 'no phone number')),
      h('p', {}, entry.reason, entry.dueDate ? ` (due ${entry.dueDate})` : ''),
      entry.vehicles.length ? h('ul', {}, ...entry.vehicles.map((v) => h('li', {}, [v.licensePlate, v.model].filter(Boolean).join(' · ') || v.externalId))) : null,
      outcomes,
      h(
        'div',
        { class: 'actions', role: 'group', 'aria-label': 'Outcome of the call' },
        when,
        ...CALL_OUTCOMES.map((o) => h('button', { type: 'button', 'data-outcome': o, onclick: () => void record(o) }, LABEL[o])),
        status,
      ),
    );
  };
  date.addEventListener('change', () => void load());
  await load();
}

function outcomeItem(o: { outcome: string; appointmentStartsAt?: string; at: string }): HTMLElement {
  return h('li', { 'data-recorded': o.outcome }, `${LABEL[o.outcome] ?? o.outcome}${o.appointmentStartsAt ? ` for ${new Date(o.appointmentStartsAt).toLocaleString()}` : ''}, recorded ${new Date(o.at).toLocaleString()}`);
}
