// One runner per runtime of the matrix. A runner gets a row's output folder and what the
// builder made (`page`, `script`), runs it, and returns `{ result, ... }`: what the consumer
// reported plus what the runner saw (requests, errors).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startStaticServer } from '../../../scripts/lib/static-server.mjs';
import { sh } from './scratch.mjs';

const TIMEOUT_MS = 30_000;

/** Serves `out` over loopback (as deployed: the output folder is the site) for `fn(url)`. */
async function serving(out, fn) {
  const site = await startStaticServer({ root: out, index: '/index.html' });
  try {
    return await fn(site.url);
  } finally {
    await site.close();
  }
}

/** A fresh context of the shared Chromium, with the page's errors and requests recorded. */
async function withPage(browser, fn) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const seen = { errors: [], requests: [] };
    page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && seen.errors.push(`console: ${m.text()} at ${m.location().url}`));
    page.on('request', (r) => seen.requests.push(r.url()));
    page.on('requestfailed', (r) => seen.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    return await fn(page, seen);
  } finally {
    await context.close();
  }
}

/** The built page in Chromium; the consumer reports through `MATRIX_DONE`. */
export function chromiumPage({ browser, out, page: main, config, noWebAssembly = false }) {
  if (!main) throw new Error('this build made no page');
  return serving(out, (url) =>
    withPage(browser, async (page, seen) => {
      await page.addInitScript(({ c, noWebAssembly }) => {
        // A browser without WebAssembly (Safari Lockdown Mode, LWS): removed before any script.
        if (noWebAssembly) delete globalThis.WebAssembly;
        window.MATRIX_CONFIG = c;
        window.MATRIX_DONE = (r) => (window.MATRIX_RESULT = r);
      }, { c: config, noWebAssembly });
      await page.goto(`${url}/${main}`);
      try {
        await page.waitForFunction(() => window.MATRIX_RESULT !== undefined, null, { timeout: TIMEOUT_MS });
      } catch {
        throw new Error(`the page reported nothing; errors: ${seen.errors.join(' | ') || 'none'}`);
      }
      return { result: await page.evaluate(() => window.MATRIX_RESULT), webAssembly: await page.evaluate(() => typeof WebAssembly), ...seen, origin: url };
    }),
  );
}

// The worker's side of the HubSpot-like sandbox. As in HubSpot's UI-extension worker
// (/work/shared/hosts.md), the global `fetch` and `XMLHttpRequest` throw; the only way out is
// a fetch the host hands in (in HubSpot, a wrapper of `hubspot.fetch`), here bridged to the
// page with postMessage. The bridge carries no AbortSignal (not cloneable; `hubspot.fetch`
// takes none either) and answers with a Response-like `{ status, headers, text() }`, which the
// client reads by duck typing. The script is loaded with `importScripts` after the lock-down
// (HubSpot loads a card its own way; what matters is that the card runs with fetch locked).
const WORKER_HOST = `'use strict';
const blocked = (name) => function () { throw new TypeError(name + ' is not allowed in this sandbox'); };
self.fetch = blocked('fetch');
self.XMLHttpRequest = blocked('XMLHttpRequest');
const probe = {};
try { self.fetch('/'); probe.fetch = 'allowed'; } catch (e) { probe.fetch = 'throws'; }
try { new XMLHttpRequest(); probe.xhr = 'allowed'; } catch (e) { probe.xhr = 'throws'; }
let next = 0;
const waiting = new Map();
function hostFetch(url, init) {
  init = init || {};
  return new Promise((resolve, reject) => {
    const id = ++next;
    waiting.set(id, { resolve, reject });
    postMessage({ type: 'fetch', id, url: String(url), method: init.method || 'GET', headers: init.headers || {}, body: init.body });
  });
}
self.onmessage = ({ data }) => {
  if (data.type === 'fetched') {
    const w = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.error) w.reject(new TypeError(data.error));
    else w.resolve({ status: data.status, headers: Object.fromEntries(data.headers), text: async () => data.body });
  } else if (data.type === 'start') {
    if (data.noWebAssembly) delete self.WebAssembly;
    probe.webAssembly = typeof WebAssembly;
    self.MATRIX_CONFIG = Object.assign({}, data.config, { fetch: hostFetch });
    self.MATRIX_DONE = (result) => postMessage({ type: 'done', result, probe });
    importScripts(data.script);
  }
};
`;

/**
 * The built script in a Chromium *classic* worker whose global fetch and XHR throw (HubSpot's
 * UI-extension sandbox); the page runs the bridged requests and records them.
 */
export function chromiumSandboxedWorker({ browser, out, script: main, config, noWebAssembly = false }) {
  if (!main) throw new Error('this build made no script to load on its own');
  writeFileSync(join(out, '__host-worker.js'), WORKER_HOST);
  writeFileSync(join(out, '__host.html'), '<!doctype html><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,">\n');
  return serving(out, (url) =>
    withPage(browser, async (page, seen) => {
      await page.goto(`${url}/__host.html`);
      const fromWorker = await page.evaluate(
        ({ script, config, timeoutMs, noWebAssembly }) =>
          new Promise((resolve, reject) => {
            const bridged = [];
            const worker = new Worker('/__host-worker.js');
            const timer = setTimeout(() => reject(new Error(`the worker reported nothing in ${timeoutMs} ms`)), timeoutMs);
            worker.onerror = (e) => (clearTimeout(timer), reject(new Error(`worker error: ${e.message}`)));
            worker.onmessage = async ({ data }) => {
              if (data.type === 'fetch') {
                bridged.push(`${data.method} ${new URL(data.url).pathname}`);
                try {
                  const response = await fetch(data.url, { method: data.method, headers: data.headers, body: data.body, redirect: 'manual' });
                  worker.postMessage({ type: 'fetched', id: data.id, status: response.status, headers: [...response.headers], body: await response.text() });
                } catch (error) {
                  worker.postMessage({ type: 'fetched', id: data.id, error: String(error) });
                }
              } else if (data.type === 'done') {
                clearTimeout(timer);
                worker.terminate();
                resolve({ result: data.result, probe: data.probe, bridged });
              }
            };
            worker.postMessage({ type: 'start', script: `/${script}`, config, noWebAssembly });
          }),
        { script: main, config, timeoutMs: TIMEOUT_MS, noWebAssembly },
      );
      return { ...fromWorker, ...seen, origin: url };
    }),
  );
}

// Production Workers refuse to compile wasm from bytes at run time ("Wasm code generation
// disallowed by embedder"); local workerd allows it. This module, evaluated before the
// bundle, refuses it the same way, so a bundle that took the inline entry fails here too.
const NO_WASM_CODEGEN = `const refuse = () => new WebAssembly.CompileError('Wasm code generation disallowed by embedder');
const RealModule = WebAssembly.Module;
const realInstantiate = WebAssembly.instantiate;
function Module() { throw refuse(); }
Module.prototype = RealModule.prototype;
for (const name of ['exports', 'imports', 'customSections']) Module[name] = RealModule[name];
WebAssembly.Module = Module;
WebAssembly.compile = async () => { throw refuse(); };
WebAssembly.compileStreaming = async () => { throw refuse(); };
WebAssembly.instantiateStreaming = async () => { throw refuse(); };
WebAssembly.instantiate = (source, imports) => (source instanceof RealModule ? realInstantiate(source, imports) : Promise.reject(refuse()));
`;

/** The bundled Worker in workerd (miniflare), its `.wasm` imports given as CompiledWasm modules. */
export async function workerd({ out, script: main, config, wasmModules = [], compatibilityFlags = [] }) {
  writeFileSync(join(out, '__no-wasm-codegen.mjs'), NO_WASM_CODEGEN);
  writeFileSync(join(out, '__entry.mjs'), `import './__no-wasm-codegen.mjs';\nexport { default } from './${main}';\n`);
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(out, '__entry.mjs') },
      { type: 'ESModule', path: join(out, '__no-wasm-codegen.mjs') },
      { type: 'ESModule', path: join(out, main) },
      ...wasmModules.map((name) => ({ type: 'CompiledWasm', path: join(out, name) })),
    ],
    modulesRoot: out,
    compatibilityDate: '2026-07-01',
    compatibilityFlags,
    bindings: { SANDBOX_URL: config.baseUrl, CONTRACT_ID: config.contractId },
  });
  try {
    const response = await mf.dispatchFetch('http://worker.local/');
    const text = await response.text();
    if (response.status !== 200) throw new Error(`the worker answered ${response.status}: ${text.slice(0, 2000)}`);
    return { result: JSON.parse(text) };
  } finally {
    await mf.dispose();
  }
}

/** The consumer as a Node program next to the installed package. */
export async function node({ out, script: main, config, noWebAssembly = false }) {
  // `--jitless` is Node without WebAssembly (the global is gone).
  const stdout = await sh(process.execPath, [...(noWebAssembly ? ['--jitless'] : []), main], { cwd: out, env: { SANDBOX_URL: config.baseUrl, CONTRACT_ID: config.contractId }, timeout: TIMEOUT_MS });
  return JSON.parse(stdout);
}
