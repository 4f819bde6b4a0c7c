// Child process of v8-deopt.test.mjs: a hot loop of client calls whose fetch function changes
// the shape of an object the loop also uses, so V8 lazily deoptimises the loop's optimised
// code while a call into the wasm module is on the stack. Exits 0 after the loop; a process
// killed by V8 ("Fatal error ... unreachable code") exits by a signal.
import * as sd from 'spotdraft-sync';

const body = JSON.stringify({ contract_status: 'DRAFT', contract_name: 'hot loop' });
const headers = new Headers({ 'content-type': 'application/json', 'x-request-id': 'req-1' });
let marks = {};
const fetch = () => {
  marks.fetched = performance.now();
  return Promise.resolve({
    status: 200,
    headers,
    text: () => {
      marks.read = performance.now();
      return Promise.resolve(body);
    },
  });
};
const client = new sd.SpotDraftClient({ baseUrl: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'secret', maxRequestsPerSecond: 1e6, fetch });
const spans = [];
for (let i = 0; i < 20_000; i++) {
  marks = {};
  const start = performance.now();
  const { contractStatus } = await client.getContractStatus('T-17');
  if (contractStatus !== 'DRAFT') throw new Error(`got ${contractStatus}`);
  spans.push([marks.fetched - start, marks.read - marks.fetched, performance.now() - start]);
}
process.stdout.write(`ok ${spans.length}\n`);
