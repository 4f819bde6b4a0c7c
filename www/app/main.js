// The portal's entry: signs in with the token in the link `npm start` printed (moved at once
// into an HttpOnly cookie and wiped from the address bar), loads spotdraft-sync (WebAssembly,
// or the pure-JS build where WebAssembly cannot run), and routes `#/` (records) and
// `#/records/<id>` (one record). The page holds no SpotDraft credentials: its client calls the
// reference server's proxy on this origin, which adds them.
import { h, replace } from './dom.js';
import { portal } from './api.js';
import { errorPanel } from './errors.js';
import { onFeedState } from './feed.js';
import { loadSdk } from './sdk.js';
import { showList } from './list.js';
import { showRecord } from './record.js';

const main = document.getElementById('main');
const buildBadge = document.getElementById('build');
const modeBadge = document.getElementById('mode');
const feedBadge = document.getElementById('feed-state');

async function signInFromLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  history.replaceState(null, '', `${location.pathname}#/`);
  await portal.signIn(token);
}

function signInForm(error) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  replace(main,
    h('h1', { id: 'page-title' }, 'Sign in'),
    error ? errorPanel(error) : null,
    h('form', { class: 'panel sign-in', onsubmit: async (event) => {
      event.preventDefault();
      try {
        await portal.signIn(input.value);
        location.reload();
      } catch (failure) {
        signInForm(failure);
      }
    } },
    h('label', { for: 'token' }, 'Portal token'),
    input,
    h('p', { class: 'hint' }, '`npm start` prints a link that signs you in; the token is also SPOTDRAFT_SERVER_TOKEN.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
}

let cleanup = () => {};
let routes = 0;
/**
 * Shows the page for the current hash; after a navigation, focus moves to the new page. Each
 * page renders into its own element, so a page still loading when the user navigates on
 * finishes into a detached element and is stopped, instead of painting over the newer page.
 */
async function route(context, { navigated = true } = {}) {
  cleanup();
  cleanup = () => {};
  const mine = ++routes;
  const page = h('div', { class: 'page' });
  replace(main, page);
  const match = /^#\/records\/(.+)$/.exec(location.hash);
  document.title = 'spotdraft-sync portal';
  const stop = match ? await showRecord(page, decodeURIComponent(match[1]), context) : await showList(page);
  if (mine !== routes) {
    stop();
    return;
  }
  cleanup = stop;
  if (navigated) main.focus({ preventScroll: true });
}

async function boot() {
  try {
    await signInFromLink();
  } catch (error) {
    signInForm(error);
    return;
  }
  let session;
  try {
    session = await portal.session();
  } catch (error) {
    if (error.code === 'UNAUTHORIZED') signInForm();
    else replace(main, errorPanel(error, 'The portal server could not be reached.'));
    return;
  }
  const { sdk, build } = await loadSdk();
  replace(buildBadge, `spotdraft-sync: ${build}`);
  buildBadge.dataset.build = build.startsWith('WebAssembly') ? 'wasm' : 'js';
  replace(modeBadge, session.mode === 'sandbox' ? 'Local sandbox' : 'SpotDraft workspace');
  onFeedState((state) => {
    replace(feedBadge, { connecting: 'Live updates: connecting', live: 'Live updates: on', reconnecting: 'Live updates: reconnecting…', closed: 'Live updates: off' }[state]);
    feedBadge.dataset.state = state;
  });
  // Proxy mode: no credentials in the page; the server adds them.
  const client = new sdk.SpotDraftClient({ baseUrl: location.origin });
  const context = { sdk, client, session };
  window.addEventListener('hashchange', () => route(context));
  await route(context, { navigated: false });
}

boot().catch((error) => replace(main, errorPanel(error, 'The portal could not start.')));
