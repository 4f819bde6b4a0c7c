// The records list: every CRM record the portal knows, with its sync state from the store,
// kept live by the change feed.
import { h, replace } from './dom.js';
import { portal } from './api.js';
import { errorPanel } from './errors.js';
import { onRecord } from './feed.js';
import { statusBadge } from './status.js';

function syncCell(sync) {
  if (!sync) return [statusBadge(null)];
  if (sync.creating) return [h('span', { class: 'badge badge-draft' }, 'Creating…')];
  return [statusBadge(sync.status), ' ', h('code', {}, sync.compositeId ?? `#${sync.contractId}`)];
}

/** Renders the list into `main`; resolves with the view's cleanup. */
export async function showList(main) {
  replace(main, h('h1', { id: 'page-title' }, 'CRM records'), h('p', { class: 'loading' }, 'Loading records…'));
  let records;
  try {
    ({ records } = await portal.records());
  } catch (error) {
    replace(main, h('h1', { id: 'page-title' }, 'CRM records'), errorPanel(error, 'Loading the records failed.'));
    return () => {};
  }
  const cells = new Map();
  const rows = records.map((record) => {
    const cell = h('td', { 'data-label': 'Sync state' }, syncCell(record.sync));
    cells.set(record.id, cell);
    return h('tr', { 'data-record': record.id },
      h('th', { scope: 'row', 'data-label': 'Record' }, h('a', { href: `#/records/${encodeURIComponent(record.id)}` }, record.title)),
      h('td', { 'data-label': 'CRM' }, `${record.system} ${record.objectType}`),
      h('td', { 'data-label': 'Counterparty' }, record.counterparty),
      h('td', { 'data-label': 'External id' }, h('code', {}, record.id)),
      h('td', { 'data-label': 'Template' }, String(record.templateId)),
      cell);
  });
  replace(main,
    h('h1', { id: 'page-title' }, 'CRM records'),
    h('p', { class: 'lede' }, 'Records from HubSpot and Salesforce. Open one to map it to a SpotDraft contract, check it against the template, create it once, and follow it to the signed PDF.'),
    h('table', { class: 'records' },
      h('caption', {}, `${records.length} records · sync state from the store, updated live`),
      h('thead', {}, h('tr', {}, ['Record', 'CRM', 'Counterparty', 'External id', 'Template', 'Sync state'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, rows)));
  return onRecord((record) => {
    const cell = record.externalId && cells.get(record.externalId);
    if (cell) replace(cell, syncCell(record));
  });
}
