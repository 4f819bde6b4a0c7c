// Module resolve hook of tests/support/use-js-build.mjs.
export async function resolve(specifier, context, next) {
  return next(specifier === 'spotdraft-sync' ? 'spotdraft-sync/js' : specifier, context);
}
