// `node --import ./tests/support/use-js-build.mjs`: the package's own tests against the
// pure-JS build. Every import of `spotdraft-sync` resolves to `spotdraft-sync/js` (through the
// package's exports map, as a user's import would), nothing else changes. Test-only: nothing
// of this ships. scripts/test.sh runs the shared part of tests/node/ this way.
import { register } from 'node:module';

register('./js-build-resolver.mjs', import.meta.url);
