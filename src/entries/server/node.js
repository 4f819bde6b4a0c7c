// A node:http adapter for fetch-standard handlers: `toNodeListener(handler)` is a
// `(req, res)` listener for `http.createServer`, Express (`app.use(path, listener)`) or
// Fastify (`reply.hijack()` then call it with `request.raw, reply.raw`); `serve(handler)`
// starts a server on loopback. Streams both ways, so a Server-Sent Events answer reaches the
// client as it is written and a request body is read only as far as the handler reads it.
// It does not limit body sizes or check anything: the handlers do.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';

/** Builds the fetch `Request` for a node:http request (`base`: how to spell its origin). */
function toRequest(req, base) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const controller = new AbortController();
  req.once('close', () => { if (!req.complete) controller.abort(); });
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // Express mounts strip their path: originalUrl keeps what the client asked for.
  const url = new URL(req.originalUrl ?? req.url ?? '/', base ?? `http://${req.headers.host ?? 'localhost'}`);
  return new Request(url, {
    method,
    headers,
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: hasBody ? 'half' : undefined,
    signal: controller.signal,
  });
}

/** Writes `response` to `res`, streaming its body; stops reading it when the client leaves. */
async function writeResponse(response, res) {
  const headers = {};
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    headers[name] = value;
  }
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  res.once('close', () => reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    if (res.destroyed) break;
  }
  res.end();
}

/**
 * A node:http listener running `handler` for every request. A handler that throws gets a
 * 500 `{"error":{"code":"INTERNAL",…}}` (the thrown message is not sent: it may hold data the
 * handler did not mean to return); `onError(error)` sees it.
 *
 * @param {(request: Request) => Promise<Response> | Response} handler
 * @param {{ base?: string, onError?: (error: unknown) => void }} [options]
 */
export function toNodeListener(handler, options = {}) {
  if (typeof handler !== 'function') throw new TypeError('toNodeListener(handler): handler must be a function (request) => Response');
  return (req, res) => {
    (async () => {
      let response;
      try {
        response = await handler(toRequest(req, options.base));
      } catch (error) {
        options.onError?.(error);
        response = Response.json(
          { error: { code: 'INTERNAL', message: 'The server failed on this request; see its log.' } },
          { status: 500 },
        );
      }
      await writeResponse(response, res);
    })().catch((error) => {
      options.onError?.(error);
      res.destroy();
    });
  };
}

/**
 * Serves `handler` over node:http on `host` (default 127.0.0.1) and `port` (default 0: any
 * free port). Resolves once listening, with `{ url, server, close() }`.
 */
export async function serve(handler, { port = 0, host = '127.0.0.1', onError } = {}) {
  const server = createServer(toNodeListener(handler, { onError }));
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
