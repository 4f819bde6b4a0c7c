// The portal (README, "The portal"): the page in www/ served with a strict CSP, the portal API
// and the reference server's proxy, webhook receiver, store and change feed on one origin.
// `npm start` runs it against the local sandbox; with SPOTDRAFT_* against a workspace.
import { loadCatalogue } from './catalogue.mjs';
import { createPortalApi } from './api.mjs';
import { createStaticFiles, SECURITY_HEADERS } from './static.mjs';

export { CONTENT_SECURITY_POLICY } from './static.mjs';

/** The `app` factory for `startReferenceServer`: portal API first, then the files. */
export function portalApp(root) {
  const catalogue = loadCatalogue(root);
  const files = createStaticFiles(root);
  return (parts) => {
    const api = createPortalApi({ catalogue, ...parts });
    return async (request) => (await api(request)) ?? (await files(request))
      ?? new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });
  };
}
