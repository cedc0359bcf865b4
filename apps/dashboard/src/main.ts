import './style.css';
import { session, whenUnauthorized, api, ApiError } from './api';
import { h, liveRegion, replace } from './dom';
import { homeView } from './home';
import { jobView } from './job';

const app = document.getElementById('app')!;
let cleanup: (() => void) | undefined;


const main = h('main', { id: 'main', tabindex: '-1' });
const signOut = h('button', { type: 'button', className: 'ghost', onclick: () => { session.clear(); location.hash = '#/'; route(); } }, 'Sign out');
const header = h(
  'header',
  { className: 'top' },
  h('a', { href: '#/', className: 'brand' }, h('span', { 'aria-hidden': 'true', className: 'logo' }, '◆'), ' jobdesk'),
  h('nav', { 'aria-label': 'Main' }, h('a', { href: '#/' }, 'Jobs'), h('a', { href: '/docs' }, 'API reference')),
  signOut,
);
replace(app, h('a', { href: '#main', className: 'skip' }, 'Skip to content'), header, main, liveRegion);

let signingIn = false;
whenUnauthorized(() => {
  if (!signingIn && session.get() !== null) {
    session.clear();
    route('Your API key was refused. Sign in again.');
  }
});

function signInView(root: HTMLElement, message?: string): void {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'api-key-help' });
  const error = h('p', { className: 'error', role: 'alert', id: 'sign-in-error' }, message ?? '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { className: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-help', className: 'hint' }, 'Make one with ', h('code', {}, 'npm run keys -- create --tenant acme'), '. It stays in this tab only. Leave it empty if the gateway runs without keys.'),
    button,
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      button.disabled = true;
      signingIn = true;
      error.textContent = '';
      session.set(input.value.trim());
      try {
        await api.list(new URLSearchParams({ limit: '1' }));
        route();
      } catch (err) {
        session.clear();
        error.textContent = err instanceof ApiError && err.status === 401 ? 'That key was not accepted.' : (err as Error).message;
        input.focus();
      } finally {
        signingIn = false;
        button.disabled = false;
      }
    })();
  });
  replace(root, form);
  input.focus();
}

function route(message?: string): void {
  cleanup?.();
  cleanup = undefined;
  const signedIn = session.get() !== null;
  signOut.hidden = !signedIn;
  header.querySelector('nav')!.hidden = !signedIn;
  if (!signedIn) {
    document.title = 'Sign in · jobdesk';
    return signInView(main, message);
  }
  const m = /^#\/jobs\/([0-9a-fA-F-]{1,64})$/.exec(location.hash);
  cleanup = m ? jobView(main, m[1]) : homeView(main);
  const h1 = main.querySelector('h1');
  if (h1 && document.activeElement === document.body) h1.setAttribute('tabindex', '-1');
}

window.addEventListener('hashchange', () => {
  route();
  main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false });
});
route();
