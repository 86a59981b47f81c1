import { flash, h } from '../dom';
import { consoleApi, euros, offerDownload, type LetterBatch } from './console-api';

/** The dealer's print files, one per day; each downloads as a PDF with the session's token. */
export async function showLetters(main: HTMLElement, dealerId: string): Promise<void> {
  const list = h('div', { class: 'letter-batches' }, h('p', {}, 'Loading…'));
  main.append(h('section', { class: 'page console-page' }, h('h1', {}, 'Letter batches'), list));
  let batches: LetterBatch[];
  try {
    batches = (await consoleApi.letterBatches(dealerId)).items;
  } catch (error) {
    list.replaceChildren(h('p', { class: 'status error', role: 'alert' }, (error as Error).message));
    return;
  }
  const download = async (batch: LetterBatch, cell: HTMLElement, status: HTMLElement) => {
    flash(status, 'Downloading…');
    try {
      const link = offerDownload(await consoleApi.letterPdf(batch.id), batch.fileName, `Save ${batch.fileName} again`);
      cell.querySelector('.download-link')?.remove();
      cell.append(link);
      flash(status, 'Downloaded.');
    } catch (error) {
      flash(status, (error as Error).message, 'error');
    }
  };
  list.replaceChildren(
    batches.length
      ? h(
          'table',
          { class: 'data' },
          h('caption', {}, 'Print files, newest day first'),
          h('tr', {}, ...['Day', 'File', 'Letters', 'Pages', 'Cost', ''].map((c) => h('th', { scope: 'col' }, c))),
          ...batches.map((b) => {
            const status = h('span', { class: 'status', role: 'status' });
            const cell = h('td', {});
            cell.append(h('button', { type: 'button', 'data-batch': b.id, onclick: () => void download(b, cell, status) }, 'Download PDF'), ' ', status);
            return h('tr', {}, h('td', {}, b.date), h('td', {}, b.fileName), h('td', {}, String(b.letters)), h('td', {}, String(b.pages)), h('td', {}, euros(b.costCents)), cell);
          }),
        )
      : h('p', {}, 'No letters printed yet.'),
  );
}
