// OUR FAKE of the planned credential proxy: the backend a HubSpot card's `baseUrl` points at.
// It checks that a request comes from HubSpot (X-HubSpot-Signature-v3: base64 HMAC-SHA256 of
// method + URL + body + timestamp under the app's client secret, refused after 5 minutes; see
// shared/hosts.md and the dev server's signing.js), adds SpotDraft's `client-id` and
// `client-secret` (the card never has them), forwards the request to `upstream` (the sandbox)
// and answers with SpotDraft's status and body. A connection the upstream drops becomes a 502,
// as a reverse proxy answers. It does NOT deduplicate creates: that is the part that would make
// HubSpot's own retry of a committed create safe, and the tests show what happens without it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';

const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

/**
 * `upstream`: SpotDraft's origin (the sandbox URL); `credentials`: `{ clientId, clientSecret }`
 * added to every forwarded request; `hubspotClientSecret`: the HubSpot app's secret the
 * signatures are checked with. `requests` records what arrived (header names only).
 */
export async function startCredentialProxy({ upstream, credentials, hubspotClientSecret }) {
  const requests = [];
  let origin;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method, url: req.url, headerNames: Object.keys(req.headers), body });
      const answer = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const refusal = signatureRefusal(req, `${origin}${req.url}`, body, hubspotClientSecret);
      if (refusal) return answer(401, { detail: refusal });
      const headers = { accept: 'application/json', 'client-id': credentials.clientId, 'client-secret': credentials.clientSecret };
      if (body !== '') {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const forward = httpRequest(`${upstream}${req.url}`, { method: req.method, headers }, (upstreamRes) => {
        const parts = [];
        upstreamRes.on('data', (chunk) => parts.push(chunk));
        upstreamRes.on('error', () => answer(502, { detail: 'The SpotDraft connection failed mid-answer.' }));
        upstreamRes.on('end', () => {
          const type = upstreamRes.headers['content-type'] ?? 'application/json';
          res.writeHead(upstreamRes.statusCode, { 'content-type': type });
          res.end(Buffer.concat(parts));
        });
      });
      forward.on('error', () => {
        if (!res.headersSent) answer(502, { detail: 'The SpotDraft connection failed.' });
      });
      forward.end(body === '' ? undefined : body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: origin,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

/** Why the request is not HubSpot's, or `undefined` when its v3 signature checks out. */
function signatureRefusal(req, url, body, secret) {
  const signature = req.headers['x-hubspot-signature-v3'];
  const timestamp = Number(req.headers['x-hubspot-request-timestamp']);
  if (typeof signature !== 'string' || !Number.isFinite(timestamp)) return 'No HubSpot signature.';
  if (Math.abs(Date.now() - timestamp) > MAX_SIGNATURE_AGE_MS) return 'The HubSpot signature is too old.';
  const expected = createHmac('sha256', secret).update(`${req.method}${url}${body}${timestamp}`).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'The HubSpot signature does not match.';
}
