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
  const showContract = (record, outcome) => {
    update = renderContractView(body, { record, entry, client: context.client, session: context.session, outcome });
  };
  if (entry.sync) showContract(entry.sync);
  else {
    await renderCreateForm(body, {
      entry, sdk: context.sdk, client: context.client,
      onCreated: (result) => showContract(result.record, result),
    });
  }
  return onRecord((record) => {
    if (record.externalId !== entry.id || !record.contractId) return;
    if (update) update(record);
    else showContract(record);
  });
}
