// The portal's CRM records (examples/portal/catalogue.json): each record with the declarative
// mapping that turns it into a create body. The portal's id of a record is the external id its
// mapping writes into `external_metadata.id` — the id SpotDraft stores beside the contract
// and the sync store keys the record by (`external:<id>`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCreateContract } from 'spotdraft-sync';

const readJson = (root, path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

/** The title a person recognises the record by, per CRM. */
function titleOf(system, record) {
  return system === 'Salesforce' ? record.Name : record.properties?.dealname;
}

/** The counterparty's name, for the list. */
function counterpartyOf(system, record) {
  return system === 'Salesforce' ? record.Account?.Name : record.company?.properties?.name;
}

/**
 * Loads the catalogue. Throws when a listed record cannot be mapped to an external id: the
 * catalogue is the portal's own data, so that is a bug in it, not a user's mistake.
 */
export function loadCatalogue(root, path = 'examples/portal/catalogue.json') {
  const entries = readJson(root, path).records.map((entry) => {
    const record = readJson(root, entry.record);
    const mapping = readJson(root, entry.mapping);
    const payload = buildCreateContract(record, mapping);
    const externalId = payload.external_metadata?.id;
    if (typeof externalId !== 'string' || !externalId) throw new Error(`${entry.record}: its mapping writes no external_metadata.id`);
    return {
      id: externalId,
      system: entry.system,
      objectType: entry.objectType,
      title: titleOf(entry.system, record) ?? externalId,
      counterparty: counterpartyOf(entry.system, record) ?? '',
      templateId: payload.contract_template_id,
      record,
      mapping,
    };
  });
  const ids = new Set(entries.map((e) => e.id));
  if (ids.size !== entries.length) throw new Error(`${path}: two records map to one external id`);
  return { list: entries, byId: new Map(entries.map((e) => [e.id, e])) };
}
