import './styles.css';
import { isDealer, session, whenUnauthorized } from './api';
import { showConsole } from './console/console';
import { h } from './dom';
import { showLogin } from './login';
import { showTemplateEditor } from './template-editor';
import { showTemplateList } from './template-list';
import { showThemeEditor } from './theme-editor';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const app = document.getElementById('app')!;

/** What a screen leaves behind to tidy up when another is shown (an editor instance, timers). */
type Cleanup = (() => void) | void;
let cleanup: Cleanup;

export function navigate(path: string): void {
  history.pushState(null, '', `${BASE}${path}`);
  void route();
}

whenUnauthorized(() => {
  session.clear();
  navigate('/login');
});

window.addEventListener('popstate', () => void route());
document.addEventListener('click', (event) => {
  const link = (event.target as HTMLElement).closest('a[data-route]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  navigate(link.getAttribute('data-route')!);
});

function frame(content: HTMLElement): HTMLElement {
  const user = session.user()!;
  const nav = h(
    'nav',
    {},
    h('a', { href: `${BASE}/`, 'data-route': '/' }, 'Templates'),
    isDealer(user) ? null : h('a', { href: `${BASE}/themes`, 'data-route': '/themes' }, 'Themes'),
    h('a', { href: `${BASE}/console`, 'data-route': '/console', id: 'nav-console' }, 'Console'),
  );
  const logout = h('button', { type: 'button', class: 'link', onclick: () => (session.clear(), navigate('/login')) }, 'Log out');
  return h('div', { class: 'shell' }, h('header', { class: 'top' }, h('strong', {}, 'Forecourt studio'), nav, h('span', { class: 'who' }, `${user.email} (${user.role})`, logout)), content);
}

async function route(): Promise<void> {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : '/';
  app.replaceChildren();
  if (path === '/login' || !session.token()) {
    app.append(showLogin((user) => navigate(user && isDealer(user) ? '/' : '/')));
    return;
  }
  const main = h('main', {});
  app.append(frame(main));
  const template = /^\/templates\/([^/]+)$/.exec(path);
  const theme = /^\/themes(?:\/([^/]+))?$/.exec(path);
  const consoleTab = /^\/console(?:\/([^/]+))?$/.exec(path);
  if (consoleTab) cleanup = await showConsole(main, consoleTab[1]);
  else if (template) cleanup = await showTemplateEditor(main, decodeURIComponent(template[1]));
  else if (theme) cleanup = await showThemeEditor(main, theme[1] ? decodeURIComponent(theme[1]) : undefined);
  else cleanup = await showTemplateList(main);
}

void route();
