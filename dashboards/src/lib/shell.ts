/**
 * The frame every page shares: skip link, header with the pages this user's roles work on,
 * connection state, language switch and logout.
 */
import { api } from './api.ts';
import { h } from './dom.ts';
import { LOCALES, locale, setLocale, t } from './i18n.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { clearSession, PAGE_PATHS, pagesFor, requireSession, type PageId, type Session } from './session.ts';
import type { StreamStatus } from './stream.ts';

const PAGE_TITLES: Record<PageId, MessageKey> = {
  console: 'page.console',
  worker: 'page.worker',
  engineer: 'page.engineer',
  street: 'page.street',
  privacy: 'page.privacy',
};

export interface Shell {
  session: Session;
  main: HTMLElement;
  header: HTMLElement;
  setStatus(status: StreamStatus): void;
}

/** Checks the session and that this user works on `page`, then builds the frame. */
export function startShell(page: PageId): Shell {
  const session = requireSession();
  const allowed = pagesFor(session.user);
  document.title = `${t(PAGE_TITLES[page])} · ${t('app.name')}`;
  const status = h('span', { class: 'conn conn-connecting', role: 'status' }, t('conn.connecting'));
  const nav = h(
    'nav',
    { 'aria-label': t('nav.label') },
    allowed.map((p) =>
      h(
        'a',
        {
          href: PAGE_PATHS[p],
          class: p === page ? 'nav-current' : '',
          'aria-current': p === page ? 'page' : null,
        },
        t(PAGE_TITLES[p]),
      ),
    ),
  );
  const langSelect = h(
    'select',
    { id: 'lang', 'aria-label': t('lang.label') },
    LOCALES.map((l) => h('option', { value: l, selected: l === locale() }, l === 'en' ? 'English' : '中文')),
  );
  langSelect.addEventListener('change', () => setLocale(langSelect.value as 'zh-CN' | 'en'));
  const logout = h('button', { type: 'button', class: 'btn btn-quiet' }, t('nav.logout'));
  logout.addEventListener('click', async () => {
    await api.post('/api/auth/logout').catch(() => undefined);
    clearSession();
    location.assign('/');
  });
  const header = h(
    'header',
    { class: 'app-header' },
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    h('span', { class: 'brand' }, t('app.name')),
    nav,
    h('span', { class: 'spacer' }),
    status,
    h('span', { class: 'who' }, session.user.name),
    langSelect,
    logout,
  );
  const main = h('main', { id: 'main', tabindex: '-1' });
  document.body.replaceChildren(
    header,
    main,
    h('div', { id: 'announcer', class: 'sr-only', 'aria-live': 'polite' }),
  );

  if (!allowed.includes(page)) {
    main.append(h('p', { class: 'notice notice-error', role: 'alert' }, t('nav.notForYou')));
    throw new Error(`role may not open ${page}`);
  }
  return {
    session,
    main,
    header,
    setStatus(s) {
      status.className = `conn conn-${s}`;
      status.textContent = t(`conn.${s}`);
    },
  };
}
