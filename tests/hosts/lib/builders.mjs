// One builder per tool of the matrix, each driven through the tool's own Node API the way a
// user's build would drive it. A builder gets the row's folder `dir` (the consumer is
// `src/main.js` there; `src/<file>` for `noBuild`) and its output folder `out`, and returns
// `{ page, script, modules }`: the page to open and the script to load on its own (relative
// to `out`; `null` when the output has none), and the module ids the bundle was made of
// (absolute paths, or `null` when the tool does not report them).
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';

const page = (script, type) => `<!doctype html><meta charset="utf-8"><title>matrix</title><link rel="icon" href="data:,">\n<script${type ? ` type="${type}"` : ''} src="${script}"></script>\n`;

const ignoreQuery = (id) => id.replace(/^\0/, '').replace(/\?.*$/, '');

/** Vite (8) application build: an index.html whose module script imports the package. */
export async function viteApp({ dir, out }) {
  const { build } = await import('vite');
  writeFileSync(join(dir, 'index.html'), page('./src/main.js', 'module'));
  const result = await build({ configFile: false, root: dir, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  return { page: 'index.html', script: null, modules: rolldownModules(result) };
}

/** Vite (8) library build, one minified IIFE (what a host that loads one script needs). */
export async function viteLibIife({ dir, out }) {
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    root: dir,
    logLevel: 'warn',
    build: { outDir: out, emptyOutDir: true, minify: true, lib: { entry: join(dir, 'src/main.js'), name: 'matrixConsumer', formats: ['iife'], fileName: () => 'main.js' } },
  });
  return { page: null, script: 'main.js', modules: rolldownModules(result) };
}

function rolldownModules(result) {
  const outputs = Array.isArray(result) ? result : [result];
  return outputs.flatMap((o) => o.output).flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : [])).map(ignoreQuery);
}

/**
 * webpack 5, target web, production: the web build's `new URL('…wasm', import.meta.url)`
 * becomes an emitted asset (webpack's default `asset/resource` for URL dependencies). The
 * page is written by hand, as without html-webpack-plugin.
 */
export async function webpack5({ dir, out }) {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((ok, fail) =>
    webpack({
      mode: 'production',
      target: 'web',
      context: dir,
      entry: './src/main.js',
      output: { path: out, filename: 'main.js', clean: true },
      performance: { hints: false },
    }).run((error, s) => (error ? fail(error) : ok(s))),
  );
  if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString({ all: false, errors: true })}`);
  writeFileSync(join(out, 'index.html'), page('./main.js'));
  return { page: 'index.html', script: 'main.js', modules: [...stats.compilation.modules].map((m) => m.resource).filter(Boolean).map(ignoreQuery) };
}

/** What both esbuild rows share: the consumer bundled as a browser ES module, with a metafile. */
const esbuildBase = (dir, out) => ({
  absWorkingDir: dir,
  entryPoints: ['src/main.js'],
  entryNames: '[name]',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  outdir: out,
  metafile: true,
  logLevel: 'silent',
});

/**
 * esbuild for the browser, ESM, minified, `.wasm` through the `file` loader. esbuild does not
 * rewrite `new URL(…, import.meta.url)`, so the consumer imports
 * `spotdraft-sync/spotdraft_sync_bg.wasm` and passes that URL to `init`.
 */
export async function esbuildBrowser({ dir, out }) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...esbuildBase(dir, out),
    minify: true,
    loader: { '.wasm': 'file' },
  });
  writeFileSync(join(out, 'index.html'), page('./main.js', 'module'));
  return { page: 'index.html', script: 'main.js', modules: Object.keys(result.metafile.inputs).map((p) => (isAbsolute(p) ? p : resolve(dir, p))) };
}

/**
 * Rollup 4 + @rollup/plugin-node-resolve with the browser condition, ESM, no plugins for
 * assets (Rollup has no asset handling of its own; the consumer imports the inline entry).
 */
export async function rollup4({ dir, out }) {
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const warnings = [];
  const bundle = await rollup({ input: join(dir, 'src/main.js'), plugins: [nodeResolve({ browser: true })], onwarn: (w) => warnings.push(w.message) });
  const { output } = await bundle.write({ dir: out, format: 'es', entryFileNames: 'main.js' });
  await bundle.close();
  writeFileSync(join(out, 'index.html'), page('./main.js', 'module'));
  return { page: 'index.html', script: 'main.js', modules: output.flatMap((c) => (c.type === 'chunk' ? c.moduleIds : [])).map(ignoreQuery), warnings };
}

/**
 * HubSpot's own card build: `remoteBuild` of @hubspot/ui-extensions-dev-server (its Vite 6,
 * `build.lib` IIFE, minified, `react`, `react-dom`, `@remote-ui/react` external). The card is
 * the plain consumer: it imports no React (HubSpot's externals stay configured, nothing here
 * needs them) and does its work on load. `remoteBuild` returns nothing, so the modules are
 * unknown; the output is `<entry name>.js` plus HubSpot's manifest.
 */
export async function hubspotRemoteBuild({ dir, out }) {
  const { remoteBuild } = await import('@hubspot/ui-extensions-dev-server/build');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'matrix-card', private: true, version: '0.0.0', dependencies: { 'spotdraft-sync': '*' } }));
  await remoteBuild({ root: dir, entryPoint: join(dir, 'src/main.js'), outputDir: out, logLevel: 'warn' });
  return { page: null, script: 'main.js', modules: null };
}

/**
 * What wrangler does for a Worker (wrangler 4 needs Node ≥ 22.12, so it cannot run on this
 * Node 20; this reproduces its bundling): esbuild, ESM, the conditions `workerd`, `worker`,
 * `browser`, and every `.wasm` import kept as an external module that is uploaded beside the
 * script (wrangler's `CompiledWasm` rule, `**\/*.wasm`), renamed by content hash.
 */
export async function wranglerEsbuild({ dir, out }) {
  const esbuild = await import('esbuild');
  const wasmModules = [];
  const compiledWasm = {
    name: 'compiled-wasm-modules',
    setup(b) {
      b.onResolve({ filter: /\.wasm(\?module)?$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path.replace(/\?module$/, ''));
        const name = `${createHash('sha1').update(readFileSync(file)).digest('hex')}-${basename(file)}`;
        copyFileSync(file, join(out, name));
        wasmModules.push({ name, from: file });
        return { path: `./${name}`, external: true };
      });
    },
  };
  const result = await esbuild.build({
    ...esbuildBase(dir, out),
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [compiledWasm],
  });
  const modules = Object.keys(result.metafile.inputs).map((p) => (isAbsolute(p) ? p : resolve(dir, p)));
  return { page: null, script: 'main.js', modules: [...modules, ...wasmModules.map((m) => m.from)], wasmModules: wasmModules.map((m) => m.name) };
}

/** No build: Node runs the consumer from the row's folder, resolving the installed package. */
export async function noBuild({ dir, out, file }) {
  copyFileSync(join(dir, 'src', file), join(out, file));
  return { page: null, script: file, modules: null };
}
