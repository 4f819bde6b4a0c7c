// spotdraft-sync/server in Node: every fetch-standard handler (./fetch.js, what other
// runtimes get) plus the node:http adapter (./node.js).
export * from './fetch.js';
export { toNodeListener, serve } from './node.js';
