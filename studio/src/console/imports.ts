import { flash, h } from '../dom';
import { uploadImport, type ImportResult } from './console-api';

const TYPES = ['customers', 'vehicles', 'consents', 'appointments'];

/** Uploads a CSV (or JSON) file into the dealer's data room, with the upload's progress and the result row by row. */
export function showImports(main: HTMLElement, dealerId: string): void {
  const type = h('select', { name: 'type', id: 'import-type' }, ...TYPES.map((t) => h('option', { value: t }, t)));
  const file = h('input', { type: 'file', name: 'file', id: 'import-file', accept: '.csv,text/csv,.json,application/json', required: true });
  const progress = h('progress', { max: 1, value: 0, id: 'import-progress', 'aria-label': 'Upload progress' });
  const status = h('span', { class: 'status', role: 'status' });
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Upload');
  const form = h(
    'form',
    { class: 'import-form', id: 'import-form' },
    h('label', { for: 'import-type' }, 'Records'),
    type,
    h('label', { for: 'import-file' }, 'File (CSV with a header line, or JSON)'),
    file,
    h('div', { class: 'actions' }, button, progress, status),
  );
  main.append(
    h(
      'section',
      { class: 'page console-page' },
      h('h1', {}, 'Imports'),
      h('p', { class: 'hint' }, 'Rows are matched by externalId: new ones are created, known ones updated; a bad row never stops the good ones.'),
      form,
      result,
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      flash(status, 'Choose a file first.', 'error');
      file.focus();
      return;
    }
    button.disabled = true;
    progress.value = 0;
    result.replaceChildren();
    flash(status, 'Uploading…');
    try {
      const answer = await uploadImport(dealerId, type.value, chosen, (share) => {
        progress.value = share;
        if (share >= 1) flash(status, 'Uploaded; importing…');
      });
      progress.value = 1;
      flash(status, 'Done.');
      result.replaceChildren(summary(answer));
    } catch (error) {
      flash(status, (error as Error).message, 'error');
    } finally {
      button.disabled = false;
    }
  });
}

function summary(r: ImportResult): HTMLElement {
  return h(
    'div',
    {},
    h('p', { 'data-import-result': '' }, `Created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, failed ${r.failed}.`),
    r.errors.length
      ? h(
          'table',
          { class: 'data' },
          h('caption', {}, 'Rows not imported'),
          h('tr', {}, ...['Line', 'Field', 'Problem'].map((c) => h('th', { scope: 'col' }, c))),
          ...r.errors.map((e) => h('tr', { class: 'import-error' }, h('td', {}, String(e.line)), h('td', {}, e.field), h('td', {}, e.message))),
        )
      : null,
  );
}
