import { api, isDealer, session, type TemplateSummary } from './api';
import { h } from './dom';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const CHANNEL_ORDER = ['email', 'letter', 'sms', 'call-list'];

/** Every master, grouped by service and step; a row per channel and language. */
export async function showTemplateList(main: HTMLElement): Promise<void> {
  const user = session.user()!;
  const channel = h('select', { name: 'channel' }, h('option', { value: '' }, 'every channel'), ...CHANNEL_ORDER.map((c) => h('option', { value: c }, c)));
  const locale = h('select', { name: 'locale' }, h('option', { value: '' }, 'every language'), ...['nl', 'de', 'en'].map((l) => h('option', { value: l }, l)));
  const list = h('div', { class: 'template-groups' }, h('p', {}, 'Loading…'));
  main.append(
    h('section', { class: 'page' }, h('h1', {}, isDealer(user) ? 'Templates of your brands' : 'Master templates'), h('div', { class: 'filters' }, channel, locale), list),
  );
  const { items } = await api.templates();
  const render = () => {
    const shown = items.filter((t) => (!channel.value || t.channel === channel.value) && (!locale.value || t.locale === locale.value));
    const groups = new Map<string, TemplateSummary[]>();
    for (const t of shown) groups.set(t.key, [...(groups.get(t.key) ?? []), t]);
    list.replaceChildren(
      ...[...groups.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, templates]) =>
          h(
            'section',
            { class: 'template-group', 'data-key': key },
            h('h2', {}, templates[0].name || key, h('small', {}, ` ${templates[0].service} · ${templates[0].step}`)),
            h(
              'table',
              {},
              h('tr', {}, ...['Channel', 'Language', 'Published', 'Draft', 'Slots'].map((c) => h('th', {}, c))),
              ...templates
                .sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel) || a.locale.localeCompare(b.locale))
                .map((t) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `${BASE}/templates/${t.id}`, 'data-route': `/templates/${t.id}`, 'data-template': `${t.key}|${t.channel}|${t.locale}` }, t.channel)),
                    h('td', {}, t.locale),
                    h('td', {}, t.publishedVersion ? `v${t.publishedVersion}` : 'not yet'),
                    h('td', {}, t.hasUnpublishedChanges ? h('span', { class: 'badge' }, 'unpublished changes') : '—'),
                    h('td', {}, t.slots.map((s) => s.name).join(', ') || '—'),
                  ),
                ),
            ),
          ),
        ),
    );
    if (!groups.size) list.append(h('p', {}, 'No templates match.'));
  };
  channel.addEventListener('change', render);
  locale.addEventListener('change', render);
  render();
}
