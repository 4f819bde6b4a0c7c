// A small static file server for www/ and pkg/ (used by `npm start` and the browser tests).
// Serves files under `root` only; `.wasm` as application/wasm so streaming compile works.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** Content types by file extension (also the portal's, scripts/lib/portal/static.mjs). */
export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.d.ts': 'text/plain',
};

/** `headers`: extra response headers of every answer (e.g. a Content-Security-Policy). */
export async function startStaticServer({ root, port = 0, host = '127.0.0.1', index = '/www/status.html', headers = {} }) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const rel = path === '/' ? index : path;
      const file = normalize(join(root, rel));
      if (!file.startsWith(root + sep)) throw Object.assign(new Error('outside root'), { status: 403 });
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { status: 404 });
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
      res.end(await readFile(file));
    } catch (error) {
      res.writeHead(error.status ?? 404, { 'content-type': 'text/plain' });
      res.end(error.status === 403 ? 'forbidden' : 'not found');
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const { port: bound } = server.address();
  return { url: `http://${host}:${bound}`, close: () => new Promise((r) => server.close(r)) };
}
