// The portal's files, fetch-standard: `/` is www/index.html, `/www/…` the portal's own files
// and `/pkg/…` the package's browser builds (pkg/web, pkg/js and what they import). Every
// answer carries the portal's strict Content-Security-Policy. Nothing outside those folders
// is served, and no directory listing.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { TYPES } from '../static-server.mjs';

/**
 * Scripts only from this origin (plus compiling WebAssembly: 'wasm-unsafe-eval' allows
 * `WebAssembly.instantiate*`, not `eval`), styles only from files, requests only to this
 * origin (the proxy, the portal API, the change feed). Downloads are navigations to the
 * signed link, which `connect-src` does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};


/** Folders served, by URL prefix. */
const MOUNTS = [['/www/', 'www'], ['/pkg/', 'pkg']];

/** `(request) => Response | null`: null when the path is not one of the portal's files. */
export function createStaticFiles(root) {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return null;
    const path = new URL(request.url).pathname;
    let file = null;
    if (path === '/' || path === '/index.html') file = join(root, 'www', 'index.html');
    for (const [prefix, folder] of MOUNTS) {
      if (!path.startsWith(prefix)) continue;
      let rest;
      try {
        rest = decodeURIComponent(path.slice(prefix.length));
      } catch {
        return null;
      }
      const base = join(root, folder);
      const candidate = normalize(join(base, rest));
      if (!candidate.startsWith(base + sep) || rest.includes('\0')) return null;
      file = candidate;
    }
    const type = file && TYPES[extname(file)];
    if (!type) return null;
    try {
      if (!(await stat(file)).isFile()) return null;
    } catch {
      return null;
    }
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, { headers: { 'content-type': type, 'cache-control': 'no-cache', ...SECURITY_HEADERS } });
  };
}
