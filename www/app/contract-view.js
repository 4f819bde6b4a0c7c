// The record page once its contract exists: status, the live timeline (the change feed moves
// it as SpotDraft's webhooks arrive), sending to counterparties, the sandbox controls, the key
// data once executed and the signed PDF — a fresh link minted through the proxy on each
// click, used at once and dropped (never put in the page, the store or a log).
import { h, replace, time } from './dom.js';
import { portal } from './api.js';
import { errorPanel } from './errors.js';
import { STATUS_LABELS, statusBadge } from './status.js';

/** A JSON value as short text: `{type: "USD", value: 5000}` → "USD 5,000"; objects as "key: value". */
function plainText(value) {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(plainText).join('; ');
  if (typeof value !== 'object') return typeof value === 'number' ? value.toLocaleString() : String(value);
  if (typeof value.type === 'string' && typeof value.value === 'number' && Object.keys(value).length === 2) return `${value.type} ${value.value.toLocaleString()}`;
  return Object.entries(value).map(([key, item]) => `${key.replaceAll('_', ' ')}: ${plainText(item)}`).join(', ');
}

function keyValueText(value) {
  switch (value?.kind) {
    case 'EMPTY': return '—';
    case 'CURRENCY': return `${value.currency} ${Number(value.amount).toLocaleString()}`;
    case 'DURATION': return `${value.amount} ${String(value.unit).toLowerCase()}${value.days ? ` (${value.days} days)` : ''}`;
    case 'ADDRESS': return Object.values(value.address ?? {}).filter(Boolean).join(', ');
    case 'LIST': return value.values.map(plainText).join(value.values.some((v) => typeof v === 'object') ? '; ' : ', ');
    case 'BOOLEAN': return value.value ? 'Yes' : 'No';
    case 'OBJECT': return plainText(value.value);
    default: return value && 'value' in value ? String(value.value) : '';
  }
}

function timeline(record) {
  const spans = record.statusHistory?.length ? record.statusHistory : record.status ? [{ status: record.status, first: record.statusObservedAt }] : [];
  return h('ol', { class: 'timeline', 'aria-label': 'Status timeline' },
    spans.map((span, i) => h('li', { class: i === spans.length - 1 ? 'current' : 'past', 'data-status': span.status },
      statusBadge(span.status), ' ', h('span', { class: 'when' }, 'since ', time(span.first)))));
}

/**
 * Renders the contract view into `container` for `record` (a SyncRecord) and returns
 * `update(record)`, which the page calls with each newer version from the feed.
 */
export function renderContractView(container, { record: initial, entry, client, session, outcome }) {
  let record = initial;
  let keyDataLoadedFor = null;
  const errors = h('div', { class: 'errors' });
  const notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  const statusLine = h('p', { class: 'status-line' });
  const timelineBox = h('div', { class: 'timeline-box', 'aria-live': 'polite' });
  const keyData = h('div', { class: 'key-data' });
  const compositeId = () => record.compositeId ?? `T-${record.contractId}`;

  const act = async (button, work) => {
    replace(errors);
    replace(notice);
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await work();
    } catch (error) {
      replace(errors, errorPanel(error, `${button.dataset.action ?? button.textContent} failed.`));
    } finally {
      button.removeAttribute('aria-busy');
      button.disabled = false; // refresh() disables it again where the status calls for it
      refresh();
    }
  };

  const sendButton = h('button', { type: 'button', class: 'primary', id: 'send-to-counterparties', 'data-action': 'Sending to counterparties',
    onclick: () => act(sendButton, async () => {
      await client.sendToCounterparties(compositeId(), {});
      replace(notice, 'Sent to the counterparties. The timeline moves when SpotDraft\'s webhook arrives.');
    }) }, 'Send to counterparties');

  const checkButton = h('button', { type: 'button', id: 'check-status', 'data-action': 'Checking the status with SpotDraft',
    onclick: () => act(checkButton, async () => {
      const status = await client.getContractStatus(compositeId());
      replace(notice, `SpotDraft reports ${STATUS_LABELS[status.contractStatus] ?? status.contractStatus} (${status.contractStatus}) for ${compositeId()}.`);
    }) }, 'Check status with SpotDraft');

  const downloadButton = h('button', { type: 'button', class: 'primary', id: 'download-pdf', 'data-action': 'Downloading the signed PDF',
    onclick: () => act(downloadButton, async () => {
      // A fresh signed link per click, through the proxy; it is a credential until it
      // expires, so it is used for this one navigation and not kept anywhere.
      const link = await client.getDownloadLink(compositeId(), { format: 'PDF' });
      const anchor = document.createElement('a');
      anchor.href = link.url;
      anchor.download = link.fileName;
      anchor.rel = 'noopener noreferrer';
      anchor.click();
      replace(notice, `Downloading ${link.fileName} (through a link minted just now for this download only; it is not kept).`);
    }) }, 'Download signed PDF');

  const sandboxButtons = session.sandboxControls ? {
    request: h('button', { type: 'button', id: 'sandbox-request-signature', 'data-action': 'Requesting signatures (sandbox)',
      onclick: () => act(sandboxButtons.request, async () => {
        await portal.requestSignature(compositeId());
        replace(notice, 'Signatures requested in the sandbox.');
      }) }, 'Request signature'),
    sign: h('button', { type: 'button', id: 'sandbox-sign', 'data-action': 'Signing as the counterparty (sandbox)',
      onclick: () => act(sandboxButtons.sign, async () => {
        await portal.sign(compositeId());
        replace(notice, 'Signed as the counterparty in the sandbox.');
      }) }, 'Sign as counterparty'),
    throttle: h('button', { type: 'button', id: 'sandbox-throttle', 'data-action': 'Turning on rate limiting (sandbox)',
      onclick: () => act(sandboxButtons.throttle, async () => {
        await portal.throttle();
        replace(notice, 'The sandbox answers 429 to the next 3 requests (a call and its 2 retries). Try "Check status with SpotDraft".');
      }) }, 'Simulate rate limiting'),
  } : null;

  const loadKeyData = async () => {
    keyDataLoadedFor = record.contractId;
    replace(keyData, h('p', { class: 'loading' }, 'Reading the key data…'));
    try {
      const pointers = await client.getKeyPointers(compositeId());
      replace(keyData,
        h('table', { class: 'key-data-table' },
          h('caption', {}, `Key data of ${compositeId()} (${pointers.items.length} values)`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Value'))),
          h('tbody', {}, pointers.items.map((item) => h('tr', {},
            h('th', { scope: 'row' }, item.label, h('br'), h('code', {}, item.fieldName)),
            h('td', {}, keyValueText(item.value)))))));
    } catch (error) {
      keyDataLoadedFor = null;
      replace(keyData, errorPanel(error, 'Reading the key data failed.'));
    }
  };

  const refresh = () => {
    const status = record.status;
    replace(statusLine, statusBadge(status), ' ', h('code', {}, compositeId()), record.contractTitle ? ` · ${record.contractTitle}` : '');
    replace(timelineBox, timeline(record));
    sendButton.disabled = status !== 'DRAFT';
    if (sandboxButtons) {
      sandboxButtons.request.disabled = !(status === 'DRAFT' || status === 'REDLINING');
      sandboxButtons.sign.disabled = status !== 'SIGN';
    }
    downloadButton.disabled = status !== 'EXECUTED';
    if (status === 'EXECUTED' && keyDataLoadedFor !== record.contractId) loadKeyData();
    if (status !== 'EXECUTED') replace(keyData, h('p', { class: 'muted' }, 'Key data is read once the contract is executed.'));
  };

  replace(container,
    h('section', { class: 'panel contract', 'aria-labelledby': 'contract-heading' },
      h('h2', { id: 'contract-heading' }, 'Contract'),
      outcome ? h('p', { class: 'outcome', id: 'create-outcome', 'data-outcome': outcome.outcome }, outcome.outcome === 'CREATED'
        ? `Created ${initial.compositeId ?? initial.contractId} (${outcome.attempts} create ${outcome.attempts === 1 ? 'request' : 'requests'}).`
        : `Found the contract this record already has: nothing was created twice.`) : null,
      statusLine,
      h('div', { class: 'actions' }, sendButton, checkButton),
      notice,
      errors,
      h('h3', {}, 'Timeline'),
      timelineBox),
    sandboxButtons ? h('section', { class: 'panel sandbox', 'aria-labelledby': 'sandbox-heading' },
      h('h2', { id: 'sandbox-heading' }, 'Sandbox controls'),
      h('p', {}, 'Only against the local sandbox: these stand in for the counterparty and for a busy SpotDraft. A real workspace has no such buttons.'),
      h('div', { class: 'actions' }, sandboxButtons.request, sandboxButtons.sign, sandboxButtons.throttle)) : null,
    h('section', { class: 'panel', 'aria-labelledby': 'executed-heading' },
      h('h2', { id: 'executed-heading' }, 'Executed contract'),
      keyData,
      h('div', { class: 'actions' }, downloadButton)));
  refresh();

  return (next) => {
    if (next.contractId !== record.contractId) return;
    record = next;
    refresh();
  };
}
