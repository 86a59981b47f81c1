import { brandsFor, isDealer, session, type Brand, type User } from '../api';
import { h } from '../dom';
import { showBrandServices } from './brand-services';
import { showCallList } from './call-list';
import { consoleApi, type DealerSummary } from './console-api';
import { showImports } from './imports';
import { showLetters } from './letters';
import { showMessages } from './messages';
import { showBrandReport, showDealerReport } from './reports';
import { showServices } from './services';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

interface Tab {
  path: string;
  label: string;
  side: 'dealer' | 'brand';
  /** Screens that read a dealer's data room: only its own people reach them. */
  dataRoom?: boolean;
}

const TABS: Tab[] = [
  { path: 'services', label: 'Services', side: 'dealer' },
  { path: 'messages', label: 'Messages', side: 'dealer', dataRoom: true },
  { path: 'call-list', label: 'Call list', side: 'dealer', dataRoom: true },
  { path: 'letters', label: 'Letters', side: 'dealer', dataRoom: true },
  { path: 'reports', label: 'Reports', side: 'dealer' },
  { path: 'imports', label: 'Imports', side: 'dealer', dataRoom: true },
  { path: 'brand-services', label: 'Service policies', side: 'brand' },
  { path: 'brand-reports', label: 'Brand report', side: 'brand' },
];

/** The tabs a role sees: a dealer its own screens, a brand admin the brand's, a network admin both (without data rooms). */
export function tabsFor(user: User): Tab[] {
  if (isDealer(user)) return TABS.filter((t) => t.side === 'dealer');
  if (user.role === 'brand-admin') return TABS.filter((t) => t.side === 'brand');
  return TABS.filter((t) => !t.dataRoom);
}

/** The console: the dealer's and the brand's screens under /console/<tab>, the dealer or brand chosen by ?dealer= / ?brand=. */
export async function showConsole(main: HTMLElement, tabPath: string | undefined): Promise<(() => void) | void> {
  const user = session.user()!;
  const tabs = tabsFor(user);
  const tab = tabs.find((t) => t.path === tabPath) ?? tabs[0];
  const params = new URLSearchParams(location.search);
  const page = h('div', { class: 'console-body' });
  const link = (t: Tab, extra: string) =>
    h('a', { href: `${BASE}/console/${t.path}${extra}`, 'data-route': `/console/${t.path}${extra}`, 'aria-current': t === tab ? 'page' : null }, t.label);

  if (tab.side === 'dealer') {
    let dealerId = user.dealerId ?? undefined;
    let picker: HTMLElement | null = null;
    if (!isDealer(user)) {
      const { items } = await consoleApi.dealers();
      dealerId = items.find((d) => d.id === params.get('dealer'))?.id ?? items[0]?.id;
      picker = chooser('dealer', 'Dealer', items, dealerId, tab);
    }
    const extra = !isDealer(user) && dealerId ? `?dealer=${dealerId}` : '';
    main.append(h('nav', { class: 'console-tabs', 'aria-label': 'Console' }, ...tabs.map((t) => link(t, t.side === 'dealer' ? extra : ''))), picker ?? '', page);
    if (!dealerId) {
      page.append(h('p', { class: 'page' }, 'No dealer to show.'));
      return;
    }
    const readOnly = user.role !== 'dealer-admin' && user.role !== 'network-admin';
    switch (tab.path) {
      case 'messages':
        return showMessages(page, dealerId);
      case 'call-list':
        return showCallList(page, dealerId);
      case 'letters':
        return showLetters(page, dealerId);
      case 'reports':
        return showDealerReport(page, dealerId);
      case 'imports':
        return showImports(page, dealerId);
      default:
        return showServices(page, dealerId, readOnly);
    }
  }
  const brands: Brand[] = await brandsFor(user);
  const brandId = brands.find((b) => b.id === params.get('brand'))?.id ?? brands[0]?.id;
  const extra = brandId && brands.length > 1 ? `?brand=${brandId}` : '';
  main.append(
    h('nav', { class: 'console-tabs', 'aria-label': 'Console' }, ...tabs.map((t) => link(t, t.side === 'brand' ? extra : ''))),
    brands.length > 1 ? chooser('brand', 'Brand', brands, brandId, tab) : '',
    page,
  );
  if (!brandId) {
    page.append(h('p', { class: 'page' }, 'No brand to show.'));
    return;
  }
  return tab.path === 'brand-reports' ? showBrandReport(page, brandId) : showBrandServices(page, brandId);
}

/** A select of dealers or brands; choosing one reloads the tab for it. */
function chooser(param: 'dealer' | 'brand', label: string, items: (DealerSummary | Brand)[], current: string | undefined, tab: Tab): HTMLElement {
  const select = h('select', { name: param, id: `choose-${param}` }, ...items.map((i) => h('option', { value: i.id }, i.name)));
  select.value = current ?? '';
  select.addEventListener('change', () => {
    history.pushState(null, '', `${BASE}/console/${tab.path}?${param}=${encodeURIComponent(select.value)}`);
    dispatchEvent(new PopStateEvent('popstate'));
  });
  return h('div', { class: 'console-chooser' }, h('label', { for: select.id, class: 'inline' }, label, select));
}
