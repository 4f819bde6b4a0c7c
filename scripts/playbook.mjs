// SpotDraft's integration playbook, end to end, with the built package:
// CRM record → create (exactly once) → send → counterparty signs → status → key pointers →
// signed download link → executed PDF saved → the sync record the CRM would store.
// Used by `npm start` (scripts/start.mjs) against the sandbox, or against a real workspace.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpotDraftClient, buildCreateContract } from 'spotdraft-sync';

const json = (root, path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

/**
 * Runs the playbook. `sandboxUrl` enables the sandbox-only steps (the counterparty signs
 * through `/__sandbox/`); against a real workspace the flow stops after sending.
 */
export async function runPlaybook({ root, client, sandboxUrl, templateId, log = console.log }) {
  const record = json(root, 'tests/fixtures/records/hubspot-deal.json');
  const mapping = json(root, 'tests/fixtures/mappings/hubspot-deal.mapping.json');
  const payload = buildCreateContract(record, mapping);
  if (templateId) payload.contract_template_id = templateId;
  // A fresh external id per run so repeated demos each create one contract.
  payload.external_metadata.id = `hubspot-deal-${record.id}-${Date.now()}`;
  log(`1. mapped HubSpot deal ${record.id} → create body for template ${payload.contract_template_id}`);

  const metadata = await client.getTemplateMetadata(payload.contract_template_id);
  const { contract, outcome } = await client.createContract(payload, { templateMetadata: metadata });
  log(`2. ${outcome === 'CREATED' ? 'created' : 'found'} ${contract.id} (${contract.contractStatus}) for ${payload.external_metadata.id}`);

  await client.sendToCounterparties(contract.id, {});
  log(`3. sent to counterparties → ${(await client.getContractStatus(contract.id)).contractStatus}`);

  if (!sandboxUrl) {
    return { externalId: payload.external_metadata.id, compositeId: contract.id, contractId: contract.contractId, status: (await client.getContractStatus(contract.id)).contractStatus };
  }
  for (let i = 0; i < 10; i++) {
    const { contractStatus } = await client.getContractStatus(contract.id);
    if (contractStatus === 'EXECUTED') break;
    const response = await fetch(`${sandboxUrl}/__sandbox/contracts/${contract.id}/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!response.ok) throw new Error(`sandbox sign failed: ${response.status} ${await response.text()}`);
  }
  const status = await client.getContractStatus(contract.id);
  log(`4. counterparty signed (simulated in the sandbox) → ${status.contractStatus}`);

  const keyPointers = await client.getKeyPointers(contract.id);
  log(`5. key pointers: ${Object.keys(keyPointers.byFieldName ?? {}).length} fields`);

  const link = await client.getDownloadLink(contract.id, { format: 'PDF' });
  const file = await fetch(link.url);
  if (!file.ok) throw new Error(`download failed with HTTP ${file.status}`);
  const bytes = Buffer.from(await file.arrayBuffer());
  const outDir = join(root, 'out');
  mkdirSync(outDir, { recursive: true });
  const storedAt = join(outDir, `${contract.id}.pdf`);
  writeFileSync(storedAt, bytes);
  log(`6. executed PDF (${bytes.length} bytes, version ${link.versionId ?? 'n/a'}) saved to ${storedAt}`);

  return {
    externalId: payload.external_metadata.id,
    compositeId: contract.id,
    contractId: contract.contractId,
    status: status.contractStatus,
    keyData: Object.fromEntries(Object.entries(keyPointers.byFieldName ?? {}).map(([k, v]) => [k, v.value])),
    document: { fileName: link.fileName, versionId: link.versionId, fetchedAt: link.fetchedAt, storedAt },
  };
}

/** A client from SPOTDRAFT_* environment variables, or null when none is set. */
export function clientFromEnv(env = process.env) {
  if (!env.SPOTDRAFT_REGION && !env.SPOTDRAFT_BASE_URL) return null;
  return new SpotDraftClient({
    ...(env.SPOTDRAFT_REGION ? { region: env.SPOTDRAFT_REGION } : { baseUrl: env.SPOTDRAFT_BASE_URL }),
    clientId: env.SPOTDRAFT_CLIENT_ID,
    clientSecret: env.SPOTDRAFT_CLIENT_SECRET,
    ...(env.SPOTDRAFT_USER_EMAIL ? { userEmail: env.SPOTDRAFT_USER_EMAIL } : {}),
  });
}
