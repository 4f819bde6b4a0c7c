// Rewrites of wasm-bindgen's generated glue that scripts/build.mjs applies to every target
// (web, nodejs, and the pure-JS build's web glue). Each refuses to run when what it looks for
// is not there, so a wasm-bindgen upgrade that changes the glue fails the build.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// After a panic the instance is re-created on the next call (see src/facade/panic_guard.rs).
// wasm-bindgen 0.2.130 runs that re-creation (`__wbg_call_guard()`) only after it has
// marshalled the arguments into the *old* instance's memory and after it has checked the
// object's instance, so the first call after a panic would read garbage. This moves the guard
// to the top of every function that has one, and makes the stale-object refusal a
// SpotDraftError. tests/node/panic.test.mjs and tests/browser/www.test.mjs prove the result.
export function patchReinitOrder(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = /^\s*(export\s+)?(async\s+)?(function\s+)?(static\s+)?(get\s+|set\s+)?([\w$]+)\s*\([^)]*\)\s*\{\s*$/;
  const keywords = new Set(['if', 'for', 'while', 'switch', 'catch', 'function']);
  const insertAfter = new Set();
  lines.forEach((line, i) => {
    if (line.trim() !== '__wbg_call_guard();') return;
    for (let j = i - 1; j >= 0; j--) {
      const m = lines[j].match(header);
      if (m && !keywords.has(m[6])) {
        insertAfter.add(j);
        return;
      }
    }
    throw new Error(`no function header above line ${i + 1} of ${file}`);
  });
  const out = [];
  lines.forEach((line, i) => {
    out.push(line);
    if (insertAfter.has(i) && lines[i + 1]?.trim() !== '__wbg_call_guard();') {
      out.push(`${line.match(/^\s*/)[0]}    __wbg_call_guard();`);
    }
  });
  let js = out.join('\n');
  const stale = "throw new Error('Invalid stale object from previous Wasm instance');";
  if (!insertAfter.size || !js.includes(stale)) {
    throw new Error(`reinit guard or stale-object check not found in ${file}: has wasm-bindgen's output changed?`);
  }
  js = js.replaceAll(
    stale,
    "throw Object.assign(new Error('This object was created before an internal error reset spotdraft-sync; create a new one (the library itself keeps working).'), { name: 'SpotDraftError', code: 'INTERNAL' });",
  );
  writeFileSync(file, js);
}

// The Node glue is CommonJS and `require`s the JS snippets (src/facade/js/*.js), which are
// ES modules; Node 20 before 20.19 cannot require those. Our snippets only use
// `export function NAME(`, so the CommonJS copy is that keyword dropped plus a
// `module.exports` of the names. Anything else `export`ed is refused here.
export function snippetsToCommonJs(dir, root) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (!file.endsWith('.js')) continue;
    const source = readFileSync(file, 'utf8');
    const names = [];
    const body = source.replace(/^export (async function|function) ([A-Za-z_$][\w$]*)\(/gm, (_, kind, name) => {
      names.push(name);
      return `${kind} ${name}(`;
    });
    if (/^\s*(export|import)\b/m.test(body)) {
      throw new Error(`${relative(root, file)}: only \`export function\` is supported in JS snippets`);
    }
    writeFileSync(file, `'use strict';\n${body}\nmodule.exports = { ${names.join(', ')} };\n`);
  }
}

