// A HubSpot deal card: the deal's SpotDraft contract and its status, and "Create contract" when
// there is none. It talks only to your proxy, through hubspot.fetch: no SpotDraft credential is
// in this file or in the browser (see README.md).
import React, { useCallback, useEffect, useState } from 'react';
import { hubspot, Alert, Button, Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';
// The inline entry: the .wasm is inside the JS and ready on import. HubSpot builds a card into
// one IIFE file, so a separate .wasm file could not be loaded next to it.
import { SpotDraftClient, buildCreateContract, hubspotFetch, isSpotDraftError } from 'spotdraft-sync/client/inline';
import mapping from './deal-mapping.json';

// Your proxy, listed in permittedUrls.fetch: it checks HubSpot's request signature, adds
// SpotDraft's client-id and client-secret, and forwards the request to SpotDraft.
const PROXY_URL = 'https://spotdraft-proxy.example.com';
const TEMPLATE_ID = 1204;
const DEAL_PROPERTIES = [
  'dealname', 'closedate', 'amount', 'deal_currency_code', 'dealstage',
  'sd_customer_name', 'sd_term_months', 'sd_auto_renew', 'sd_notice_period_days', 'sd_service_countries',
  'sd_customer_address', 'sd_customer_city', 'sd_customer_country', 'sd_customer_country_code', 'sd_customer_zip',
  'sd_contact_first_name', 'sd_contact_last_name', 'sd_contact_email',
];

const client = new SpotDraftClient({
  baseUrl: PROXY_URL,
  fetch: hubspotFetch(hubspot.fetch),
  // Passed to hubspot.fetch as its `timeout` (HubSpot allows at most 120 s).
  timeoutMs: 15000,
});

hubspot.extend(({ context, actions }) => <SpotDraftCard context={context} actions={actions} />);

const explain = (error) => (isSpotDraftError(error) ? `${error.code}: ${error.message}` : String(error));

function SpotDraftCard({ context, actions }) {
  const dealId = String(context.crm.objectId);
  const externalId = `hubspot-deal-${dealId}`;
  const [state, setState] = useState({ phase: 'loading' });

  const load = useCallback(async () => {
    try {
      const [newest] = await client.findContractsByExternalId(externalId);
      if (!newest) return setState({ phase: 'none' });
      const { contractStatus } = await client.getContractStatus(newest.id);
      setState({ phase: 'found', id: newest.id, status: contractStatus });
    } catch (error) {
      setState({ phase: 'error', message: explain(error) });
    }
  }, [externalId]);

  useEffect(() => {
    load();
  }, [load]);

  const create = async () => {
    setState({ phase: 'creating' });
    try {
      const properties = await actions.fetchCrmObjectProperties(DEAL_PROPERTIES);
      const payload = buildCreateContract({ id: dealId, properties }, mapping);
      const templateMetadata = await client.getTemplateMetadata(TEMPLATE_ID);
      // Validated against the template before sending; created at most once per deal: after a
      // lost answer the client finds the contract by external_metadata.id instead of creating
      // a second one (your proxy must deduplicate HubSpot's own retry, see README.md).
      const { contract, outcome } = await client.createContract(payload, { templateMetadata });
      setState({ phase: 'found', id: contract.id, status: contract.contractStatus, outcome });
    } catch (error) {
      setState({ phase: 'error', message: explain(error) });
    }
  };

  if (state.phase === 'loading' || state.phase === 'creating') return <LoadingSpinner label="Talking to SpotDraft" />;
  if (state.phase === 'error') {
    return (
      <Flex direction="column" gap="sm">
        <Alert title="SpotDraft" variant="error">{state.message}</Alert>
        <Button onClick={load}>Try again</Button>
      </Flex>
    );
  }
  if (state.phase === 'none') {
    return (
      <Flex direction="column" gap="sm">
        <Text>No SpotDraft contract for this deal yet.</Text>
        <Button variant="primary" onClick={create}>Create contract</Button>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="sm">
      <Text>{`SpotDraft contract ${state.id}: ${state.status}`}</Text>
      {state.outcome === 'FOUND_EXISTING' && <Text>It already existed: no second contract was made.</Text>}
    </Flex>
  );
}
