// The smallest page (www/status.html; the portal is www/index.html): the web build with its explicit async init(), a client in proxy mode (no secret
// in the page), and errors shown by their stable code.
import init, { SpotDraftClient, isSpotDraftError } from '../pkg/web/index.js';

const result = document.getElementById('result');
const params = new URLSearchParams(location.search);
if (params.get('baseUrl')) document.getElementById('base-url').value = params.get('baseUrl');

function show(text, isError = false) {
  result.textContent = text;
  result.className = isError ? 'error' : '';
}

await init();
show('Ready. Enter a contract id and press “Get status”.');

document.getElementById('get-status').addEventListener('click', async () => {
  show('Asking SpotDraft…');
  try {
    const client = new SpotDraftClient({ baseUrl: document.getElementById('base-url').value });
    const status = await client.getContractStatus(document.getElementById('contract-id').value.trim());
    show(JSON.stringify(status, null, 2));
  } catch (error) {
    if (!isSpotDraftError(error)) throw error;
    show(`${error.code}${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}`, true);
  }
});
