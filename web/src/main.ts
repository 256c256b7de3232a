// Entry point: login gate, navigation and the route table. Views are loaded lazily per route.
import './style.css';
import { ApiError, request, setUnauthenticatedHandler } from './api';
import { h, replace } from './dom';
import { markRendered, preloadCurrentRoute, renderRoute, route } from './router';
import { clearSession, getToken, identity, setIdentity, setSession } from './session';
import type { WhoAmI } from './types';

route('/', 'overview', () => import('./views/overview'));
route('/queue', 'queue', () => import('./views/queue'));
route('/jobs/:id', 'queue', () => import('./views/job'));
route('/nodes', 'nodes', () => import('./views/nodes'));
route('/tenants', 'tenants', () => import('./views/tenants'));
route('/usage', 'usage', () => import('./views/usage'));
route('/sim', 'sim', () => import('./views/sim'));

const app = document.getElementById('app')!;
const nav = document.getElementById('nav')!;
const identityBox = document.getElementById('identity')!;

async function whoami(token: string): Promise<WhoAmI> {
  const response = await request('GET', '/whoami', { token });
  return (await response.json()) as WhoAmI;
}

function showLogin(message?: string): void {
  nav.hidden = true;
  identityBox.hidden = true;
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'sl_…',
    required: true,
    'aria-label': 'API token',
  });
  const status = h('div', { class: 'login-status', role: 'status' }, message ?? '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'login card', id: 'login-form' },
    h('h1', null, 'Log in to Suanli'),
    h('p', { class: 'muted' }, 'Paste an API token (from ', h('code', null, 'suanli token create --user NAME'), ' or DATA_DIR/admin.token). It is kept only in this tab.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    button,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    button.disabled = true;
    status.textContent = 'Checking…';
    try {
      const me = await whoami(token);
      setSession(token, me);
      status.textContent = '';
      if (location.hash === '' || location.hash === '#/login') location.hash = '#/';
      startApp();
    } catch (e) {
      status.textContent =
        e instanceof ApiError && e.status === 401 ? 'That token is not valid (unknown, revoked or mistyped).' : `Cannot log in: ${(e as Error).message}`;
      status.classList.add('error-text');
    } finally {
      button.disabled = false;
    }
  });
  replace(app, form);
  markRendered('login');
  input.focus();
}

function logout(message?: string): void {
  clearSession();
  window.removeEventListener('hashchange', onHashChange);
  showLogin(message);
}

function highlightNav(name: string): void {
  for (const link of nav.querySelectorAll('a')) {
    link.classList.toggle('active', link.dataset.route === name);
  }
}

function onHashChange(): void {
  void renderRoute(app, highlightNav);
}

function startApp(): void {
  const me = identity()!;
  nav.hidden = false;
  identityBox.hidden = false;
  replace(
    identityBox,
    h('span', { class: 'who', title: `role ${me.role}` }, h('strong', { id: 'whoami-user' }, me.user), ` · ${me.tenant || '—'} · ${me.role}`),
    h('button', { id: 'logout', class: 'link', onclick: () => logout('Logged out.') }, 'Log out'),
  );
  window.removeEventListener('hashchange', onHashChange);
  window.addEventListener('hashchange', onHashChange);
  onHashChange();
}

setUnauthenticatedHandler((message) => logout(`Your session ended: ${message}`));

async function boot(): Promise<void> {
  const token = getToken();
  if (!token) return showLogin();
  preloadCurrentRoute();
  try {
    setIdentity(await whoami(token));
    startApp();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      clearSession();
      showLogin('Your saved token is no longer valid; please log in again.');
    } else {
      showLogin(`Cannot reach the controller: ${(e as Error).message}`);
    }
  }
}

void boot();
