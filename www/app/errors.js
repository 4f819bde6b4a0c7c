// Every SpotDraftError the portal meets, shown by its stable code: a title, what to do (the
// portal's words for this page), then the package's own message (which already says what
// went wrong and what to do) and each located detail with its JSON path. Never a stack.
import { h } from './dom.js';

/** Titles and the portal's advice, by `SpotDraftError.code`. */
const ADVICE = {
  TEMPLATE_INACCESSIBLE: ['The template is not in this workspace', 'Point the record\'s mapping at a template of this workspace (its contract_template_id), or use credentials of the workspace the template belongs to.'],
  TEMPLATE_FIELD_MISMATCH: ['The fields do not match the template', 'Rename or remove the fields the template does not have, and fill the ones it requires; the form marks each one.'],
  CREATOR_ENTITY_MISMATCH: ['This creator entity may not use the template', 'Set "Creator entity" to an entity the template is enabled for (in the sandbox: ACME-EU for the EU DPA), or clear it to use the workspace\'s primary entity.'],
  VALIDATION_FAILED: ['SpotDraft refused the data', 'Fix the fields listed below, then create again.'],
  RATE_LIMITED: ['SpotDraft is rate limiting this workspace', 'Wait a few seconds and try again: SpotDraft allows 10 requests per second per workspace, shared by every integration that uses it.'],
  NETWORK: ['SpotDraft cannot be reached', 'The proxy could not reach SpotDraft (or this page could not reach the portal server). Check the network or the sandbox, then try again: nothing was changed by this attempt, or the exactly-once create will find it.'],
  TIMEOUT: ['SpotDraft did not answer in time', 'Try again in a moment; a create that may have gone through is looked up first, never repeated blindly.'],
  UNAUTHORIZED: ['You are not signed in', 'Open the link `npm start` printed (it carries the sign-in token), or paste the token below.'],
  FORBIDDEN: ['Not allowed', 'Your portal session may not do this; ask whoever runs the portal server.'],
  NOT_FOUND: ['Not found', 'It may have been deleted, or it belongs to another workspace. Reload the list.'],
  BUSINESS_RULE: ['Not possible in this state', 'The contract\'s status does not allow this step; wait for the timeline to move on.'],
  CONFLICT: ['Changed elsewhere', 'Reload the record and try again.'],
  SERVER_ERROR: ['SpotDraft had a problem', 'Try again in a moment.'],
  STORE_ERROR: ['The sync store failed', 'The portal server could not read or write its store; check its log and disk, then reload.'],
  AMBIGUOUS_CREATE: ['Not sure the contract was created', 'Create again: the portal looks the contract up by the record\'s id before it creates, so this cannot make a second one.'],
  INVALID_ARGUMENT: ['Something in the request is not right', 'Correct the values listed below.'],
  INVALID_RESPONSE: ['An answer could not be read', 'Try again; if it persists, the server log has the details.'],
  WASM_UNAVAILABLE: ['WebAssembly is not available', 'The portal switches to the pure-JavaScript build by itself; reload the page.'],
  INTERNAL: ['Something went wrong inside the portal', 'Reload the page; the server log has the details.'],
};

/** The [title, advice] for a code (a generic pair for codes without their own). */
export function adviceFor(code) {
  return ADVICE[code] ?? ['Something went wrong', 'Try again; the message below says more.'];
}

/** An alert box for `error` (a SpotDraftError or a PortalError); `context` says what was being done. */
export function errorPanel(error, context) {
  const code = error?.code ?? 'INTERNAL';
  const [title, advice] = adviceFor(code);
  const details = Array.isArray(error?.details) ? error.details : [];
  return h('section', { class: 'error-panel', role: 'alert', 'data-code': code },
    h('h3', {}, h('span', { class: 'code' }, code), ' ', title),
    context ? h('p', { class: 'context' }, context) : null,
    h('p', { class: 'advice' }, advice),
    error?.message ? h('p', { class: 'message' }, error.message) : null,
    details.length ? h('ul', { class: 'details' }, details.map((d) => h('li', {}, h('code', {}, d.path || '(body)'), ' ', d.message))) : null,
    error?.status ? h('p', { class: 'meta' }, `HTTP ${error.status}${error.spotdraftCode ? ` · ${error.spotdraftCode}` : ''}${error.requestId ? ` · request ${error.requestId}` : ''}`) : null,
  );
}
