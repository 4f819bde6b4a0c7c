// The record page: the create form until the record has a contract, then the contract view;
// the change feed switches between them and moves the timeline.
import { h, replace } from './dom.js';
import { portal } from './api.js';
import { errorPanel } from './errors.js';
import { onRecord } from './feed.js';
import { renderCreateForm } from './create-form.js';
import { renderContractView } from './contract-view.js';

export async function showRecord(main, id, context) {
  const back = h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, '← All records'));
  replace(main, back, h('h1', { id: 'page-title' }, 'Record'), h('p', { class: 'loading' }, 'Loading the record…'));
  let entry;
  try {
    entry = await portal.record(id);
  } catch (error) {
    replace(main, back, h('h1', { id: 'page-title' }, 'Record'), errorPanel(error, 'Loading the record failed.'));
    return () => {};
  }
  document.title = `${entry.title} · spotdraft-sync portal`;
  const body = h('div', { class: 'record-body' });
  replace(main, back,
    h('header', { class: 'record-header' },
      h('h1', { id: 'page-title' }, entry.title),
      h('p', { class: 'muted' }, `${entry.system} ${entry.objectType} · ${entry.counterparty} · external id `, h('code', {}, entry.id))),
    body);

  let update = null;
  // The newest version the feed sent for this record. The feed sends the store's writes in
  // order, so it is never older than what a create answer carries; the answer can arrive
  // after the feed has already moved on (the webhook for the new contract was quicker), and
  // must not put the view back to the version without a status.
  let latest = null;
  const showContract = (record, outcome) => {
    update = renderContractView(body, { record, entry, client: context.client, session: context.session, outcome });
  };
  const unsubscribe = onRecord((record) => {
    if (record.externalId !== entry.id || !record.contractId) return;
    latest = record;
    if (update) update(record);
    else showContract(record);
  });
  if (entry.sync) showContract(entry.sync);
  else {
    await renderCreateForm(body, {
      entry, sdk: context.sdk, client: context.client,
      onCreated: (result) => showContract(latest?.contractId === result.record.contractId ? latest : result.record, result),
    });
    // A contract that appeared while the form loaded (another tab created it) replaces the form.
    if (latest) showContract(latest);
  }
  return unsubscribe;
}
