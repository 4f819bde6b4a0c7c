// Inputs the benches share.
import { readFileSync } from 'node:fs';

/** A webhook HMAC key (base64), as `getWebhookHmacKey` returns one. */
export const KEY_B64 = 'zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==';

/** SpotDraft's CONTRACT_EXECUTED sample padded with counterparties to ~10 KB, as bytes. */
export function tenKilobyteBody() {
  const examples = JSON.parse(readFileSync(new URL('../../tests/fixtures/webhooks/spec-examples.json', import.meta.url), 'utf8'));
  const event = structuredClone(examples.CONTRACT_EXECUTED);
  event.counterparties = [];
  for (let i = 0; JSON.stringify(event).length < 10 * 1024; i++) {
    event.counterparties.push({
      type: 'Organization',
      organization_name: `Counterparty ${i} GmbH & Co. KG`,
      poc_name: `Contact Person ${i}`,
      poc_email: `contact.${i}@counterparty-${i}.example.com`,
      counterparty_id: 100000 + i,
    });
  }
  return Buffer.from(JSON.stringify(event), 'utf8');
}
