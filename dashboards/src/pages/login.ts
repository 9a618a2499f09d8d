/** Login: username and password for a bearer token, then the page that fits the user's role. */
import '../styles.css';
import { api, ApiError } from '../lib/api.ts';
import { h } from '../lib/dom.ts';
import { LOCALES, locale, setLocale, t } from '../lib/i18n.ts';
import { homeFor, loadSession, saveSession, type Session } from '../lib/session.ts';

function safeNext(): string | null {
  const next = new URLSearchParams(location.search).get('next');
  // Only same-site paths: a crafted link must not send the token holder elsewhere.
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

function render(): void {
  const existing = loadSession();
  if (existing) {
    location.replace(safeNext() ?? homeFor(existing.user));
    return;
  }
  document.title = `${t('login.title')} · ${t('app.name')}`;
  const error = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  const username = h('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'off',
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, t('app.name')),
    h('p', { class: 'muted' }, t('login.subtitle')),
    h('label', { for: 'username' }, t('login.username')),
    username,
    h('label', { for: 'password' }, t('login.password')),
    password,
    error,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    error.textContent = '';
    try {
      const session = await api.post<Session>('/api/auth/login', {
        username: username.value.trim(),
        password: password.value,
      });
      saveSession(session);
      location.assign(safeNext() ?? homeFor(session.user));
    } catch (err) {
      error.textContent = err instanceof ApiError && err.status === 401 ? t('login.bad') : t('error.network');
      submit.disabled = false;
      password.select();
    }
  });
  const lang = h(
    'select',
    { id: 'lang', 'aria-label': t('lang.label') },
    LOCALES.map((l) => h('option', { value: l, selected: l === locale() }, l === 'en' ? 'English' : '中文')),
  );
  lang.addEventListener('change', () => setLocale(lang.value as 'zh-CN' | 'en'));
  document.body.replaceChildren(
    h('main', { class: 'login-page' }, h('div', { class: 'login-lang' }, lang), form),
  );
  username.focus();
}

render();
