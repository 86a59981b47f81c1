import { h } from '../dom';
import { CHANNELS, consoleApi, euros, MESSAGE_STATUSES, type CatalogService, type MessageView } from './console-api';

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The dealer's recent messages, filtered by channel, status and service, each one's content on demand. */
export async function showMessages(main: HTMLElement, dealerId: string): Promise<void> {
  const catalog: CatalogService[] = await consoleApi.catalog();
  const select = (name: string, label: string, options: [string, string][]) =>
    h('label', {}, label, h('select', { name }, h('option', { value: '' }, 'all'), ...options.map(([value, text]) => h('option', { value }, text))));
  const filters = h(
    'form',
    { class: 'filters', id: 'message-filters' },
    select('channel', 'Channel', CHANNELS.map((c) => [c, c])),
    select('status', 'Status', MESSAGE_STATUSES.map((s) => [s, s])),
    select('serviceKey', 'Service', catalog.map((s) => [s.key, s.name])),
  );
  const list = h('div', { class: 'message-list', 'aria-live': 'polite' });
  const viewer = h('section', { class: 'message-viewer', 'aria-label': 'Message content', hidden: true });
  main.append(h('section', { class: 'page console-page' }, h('h1', {}, 'Recent messages'), filters, h('div', { class: 'split' }, list, viewer)));

  const value = (name: string) => (filters.elements.namedItem(name) as HTMLSelectElement).value || undefined;
  const load = async (pageNumber = 1) => {
    list.replaceChildren(h('p', {}, 'Loading…'));
    try {
      const page = await consoleApi.messages(dealerId, { channel: value('channel'), status: value('status'), serviceKey: value('serviceKey'), page: String(pageNumber) });
      const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
      list.replaceChildren(
        page.items.length
          ? h(
              'table',
              { class: 'data' },
              h('caption', {}, `${page.total} ${page.total === 1 ? 'message' : 'messages'}, newest first`),
              h('tr', {}, ...['Created', 'Channel', 'Service', 'Customer', 'Status', 'Cost', ''].map((c) => h('th', { scope: 'col' }, c))),
              ...page.items.map((m) => row(m)),
            )
          : h('p', {}, 'No messages match.'),
        pages > 1
          ? h(
              'nav',
              { class: 'actions', 'aria-label': 'Pages' },
              h('button', { type: 'button', disabled: pageNumber <= 1, onclick: () => void load(pageNumber - 1) }, 'Newer'),
              h('span', {}, `page ${pageNumber} of ${pages}`),
              h('button', { type: 'button', disabled: pageNumber >= pages, onclick: () => void load(pageNumber + 1) }, 'Older'),
            )
          : '',
      );
    } catch (error) {
      list.replaceChildren(h('p', { class: 'status error', role: 'alert' }, (error as Error).message));
    }
  };
  const row = (m: MessageView) =>
    h(
      'tr',
      { 'data-message': m.id },
      h('td', {}, new Date(m.createdAt).toLocaleString()),
      h('td', {}, m.channel),
      h('td', {}, [m.serviceKey, m.step].filter(Boolean).join(' · ') || '—'),
      h('td', {}, m.customerExternalId ?? '—'),
      h('td', {}, m.status, m.statusReason ? h('span', { class: 'hint' }, ` (${m.statusReason})`) : null, m.sandbox ? h('span', { class: 'badge' }, 'sandbox') : null),
      // What the dealer pays (after the brand's subsidy) where the plan priced it.
      h('td', {}, euros(m.dealerCostCents ?? m.costCents)),
      h('td', {}, h('button', { type: 'button', class: 'open-message', onclick: () => void open(m) }, 'Show')),
    );
  const open = async (m: MessageView) => {
    viewer.hidden = false;
    viewer.replaceChildren(h('p', {}, 'Loading…'));
    try {
      const content = await consoleApi.messageContent(m.id);
      // Sandboxed without scripts or same-origin: the message can neither run code nor reach the console.
      const frame = h('iframe', { sandbox: '', title: `Message ${m.subject ?? m.channel}`, class: 'message-frame', referrerpolicy: 'no-referrer' });
      frame.srcdoc = content.html !== undefined ? content.html : `<pre style="white-space:pre-wrap;font:15px/1.45 system-ui,sans-serif;margin:16px">${escapeText(content.text ?? '')}</pre>`;
      const close = h('button', { type: 'button', onclick: () => (viewer.hidden = true) }, 'Close');
      viewer.replaceChildren(h('div', { class: 'viewer-head' }, h('h2', {}, content.subject ?? `${m.channel} message`), close), frame);
      close.focus();
    } catch (error) {
      viewer.replaceChildren(h('p', { class: 'status error', role: 'alert' }, (error as Error).message));
    }
  };
  filters.addEventListener('change', () => void load(1));
  filters.addEventListener('submit', (event) => event.preventDefault());
  await load();
}
