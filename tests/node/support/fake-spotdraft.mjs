// A scripted HTTP server on 127.0.0.1 for the package's transport tests: records each request
// and answers from a route table. CORS is open so a browser page on another port can call it.
// (The stateful SpotDraft sandbox lives in sandbox/; this one only answers what a test scripts.)
import { createServer } from 'node:http';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'client-id, client-secret, user-email, content-type, accept, x-session',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'access-control-expose-headers': 'x-request-id, retry-after, location',
};

/**
 * routes: { 'GET /path': (req, body) => ({ status, headers?, body?, delayMs?, cutAfterBytes? }) };
 * `body` is JSON-encoded unless it is a string or a Buffer.
 * Unmatched routes answer 599 and are recorded in `unmatched`, so a test can fail on them.
 */
export async function startFakeSpotDraft(routes) {
  const requests = [];
  const unmatched = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS);
        return res.end();
      }
      const key = `${req.method} ${req.url}`;
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const route = routes[key];
      if (!route) {
        unmatched.push(key);
        res.writeHead(599, CORS);
        return res.end();
      }
      const answer = await route(req, body);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...CORS, ...(answer.headers ?? {}) });
      const bytes = answer.body === undefined ? '' : typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body);
      // `cutAfterBytes`: send that much of the body, then drop the connection mid-response.
      if (answer.cutAfterBytes !== undefined) {
        res.write(Buffer.from(bytes).subarray(0, answer.cutAfterBytes), () => res.socket?.destroy());
        return;
      }
      res.end(bytes);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    unmatched,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
