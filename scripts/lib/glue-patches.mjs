// Rewrites of wasm-bindgen's generated glue that scripts/build.mjs applies to every target
// (web, nodejs, and the pure-JS build's web glue). Both work on the glue's syntax tree
// (acorn), not on its text layout, and refuse to run when what they look for is not there, so
// a wasm-bindgen upgrade that changes the glue fails the build instead of shipping it
// unpatched. `guardReport` is the check the build runs after patching and that
// tests/packaging/glue.test.mjs runs over every built glue.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { transformSync } from 'esbuild';
import { leb, readLeb, rewriteSections, section } from './wasm-sections.mjs';

const GUARD = '__wbg_call_guard';
const STALE_MESSAGE = 'Invalid stale object from previous Wasm instance';
const STALE_REPLACEMENT =
  "Object.assign(new Error('This object was created before an internal error reset spotdraft-sync; create a new one (the library itself keeps working).'), { name: 'SpotDraftError', code: 'INTERNAL' })";

/**
 * The glue's syntax tree: an ES module (web) or a CommonJS script (nodejs). Parsed as a module
 * first (minified glue has no line starts to look at), as a script when that fails.
 */
export function parseGlue(source) {
  try {
    return parse(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
  } catch {
    return parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  }
}

/** Calls `visit(node, ancestors)` for every node of `tree`, outermost first. */
function walk(node, visit, ancestors = []) {
  visit(node, ancestors);
  const inner = [...ancestors, node];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === 'string') walk(child, visit, inner);
    } else if (value && typeof value.type === 'string') {
      walk(value, visit, inner);
    }
  }
}

const isFunction = (node) => ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'].includes(node.type);
const isGuardStatement = (node) =>
  node?.type === 'ExpressionStatement' &&
  node.expression.type === 'CallExpression' &&
  node.expression.callee.type === 'Identifier' &&
  node.expression.callee.name === GUARD &&
  node.expression.arguments.length === 0;

/** Applies `edits` ({ start, end, text }, not overlapping) to `source`. */
function applyEdits(source, edits) {
  let out = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

// After a panic the instance is re-created on the next call (see src/facade/panic_guard.rs).
// wasm-bindgen 0.2.130 runs that re-creation (`__wbg_call_guard()`) only after it has
// marshalled the arguments into the *old* instance's memory and after it has checked the
// object's instance, so the first call after a panic would read garbage. This moves the guard
// to be the first statement of every function that calls it, and makes the stale-object
// refusal a SpotDraftError. tests/node/panic.test.mjs and tests/browser/www.test.mjs prove the
// result; `guardReport` checks that every export got it.
export function patchGlue(source, file = 'glue') {
  const tree = parseGlue(source);
  const edits = [];
  const guarded = new Set();
  let guards = 0;
  let stale = 0;
  let classes = 0;
  walk(tree, (node, ancestors) => {
    if (node.type === 'ClassDeclaration') classes++;
    if (isGuardStatement(node)) {
      // The guard can sit inside a `try` or a `finally` of the function: the function that
      // holds it, whatever the depth, gets one more as its first statement (the original
      // stays; a second call is a no-op when no re-creation is scheduled).
      const fn = ancestors.findLast(isFunction);
      if (!fn || fn.body.type !== 'BlockStatement') {
        throw new Error(`${file}: a ${GUARD}() at offset ${node.start} outside a function body: has wasm-bindgen's output changed?`);
      }
      guards++;
      if (guarded.has(fn) || isGuardStatement(fn.body.body[0])) return;
      guarded.add(fn);
      const indent = source.slice(source.lastIndexOf('\n', fn.body.start) + 1).match(/^[ \t]*/)[0];
      edits.push({ start: fn.body.start + 1, end: fn.body.start + 1, text: `\n${indent}    ${GUARD}();` });
    }
    if (
      node.type === 'ThrowStatement' &&
      node.argument.type === 'NewExpression' &&
      node.argument.callee.name === 'Error' &&
      node.argument.arguments[0]?.value === STALE_MESSAGE
    ) {
      stale++;
      edits.push({ start: node.argument.start, end: node.argument.end, text: STALE_REPLACEMENT });
    }
  });
  // The stale-object check belongs to exported classes; a glue without them (the webhooks
  // build) has none to patch.
  if (!guards || (classes && !stale)) {
    throw new Error(`${file}: reinit guard (${guards}) or stale-object check (${stale}, ${classes} classes) not found: has wasm-bindgen's output changed?`);
  }
  return applyEdits(source, edits);
}

/**
 * `patchGlue` on a file, then `guardReport` on the result: the build fails when an export
 * that calls into wasm is left without the guard first, or when none is found at all (the
 * glue no longer calls its instance `wasm`, and the check would prove nothing).
 */
export function patchReinitOrder(file) {
  const js = patchGlue(readFileSync(file, 'utf8'), file);
  const { checked, unguarded } = guardReport(js);
  if (!checked.length) throw new Error(`${file}: no export calls \`wasm.…\`: has wasm-bindgen's output changed?`);
  if (unguarded.length) throw new Error(`${file}: exports that call into wasm without ${GUARD}() first: ${unguarded.join(', ')}`);
  writeFileSync(file, js);
}

/** Whether `fn`'s body calls a wasm export (`wasm.name(…)`), nested callbacks included. */
function callsWasm(fn) {
  let found = false;
  walk(fn.body, (node) => {
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && node.callee.object.type === 'Identifier' && node.callee.object.name === 'wasm') {
      found = true;
    }
  });
  return found;
}

/** The names the glue exports (ESM `export`, or CommonJS `exports.name = local`), as local names. */
function exportedLocals(tree) {
  const names = new Set();
  for (const node of tree.body) {
    if (node.type === 'ExportNamedDeclaration') {
      if (node.declaration?.id) names.add(node.declaration.id.name);
      for (const declarator of node.declaration?.declarations ?? []) names.add(declarator.id.name);
      for (const specifier of node.specifiers) names.add(specifier.local.name);
    }
    const assignment = node.type === 'ExpressionStatement' && node.expression.type === 'AssignmentExpression' ? node.expression : null;
    const target = assignment?.left;
    if (target?.type === 'MemberExpression' && target.object.type === 'Identifier' && target.object.name === 'exports') {
      if (assignment.right.type === 'Identifier') names.add(assignment.right.name);
      else if (isFunction(assignment.right)) names.add(target.property.name ?? target.property.value);
    }
  }
  return names;
}

/**
 * The exported functions, and methods (constructor, static, getter, setter) of exported
 * classes, that call into wasm (`checked`), and those of them that do not start with
 * `__wbg_call_guard()` (`unguarded`), as `name` or `Class.method`. "Calls into wasm" is a `wasm.name(…)` call anywhere in its body;
 * the loaders (`initSync`, the default export) reach the instance only through
 * `__wbg_finalize_init`, so they are not listed. Works on the ES module and the CommonJS glue.
 */
export function guardReport(source) {
  const tree = parseGlue(source);
  const exported = exportedLocals(tree);
  const checked = [];
  const unguarded = [];
  const check = (name, fn) => {
    if (fn?.body?.type !== 'BlockStatement' || !callsWasm(fn)) return;
    checked.push(name);
    if (!isGuardStatement(fn.body.body[0])) unguarded.push(name);
  };
  for (const statement of tree.body) {
    const node = statement.type === 'ExportNamedDeclaration' && statement.declaration ? statement.declaration : statement;
    if (node.type === 'FunctionDeclaration' && exported.has(node.id.name)) check(node.id.name, node);
    for (const declarator of node.type === 'VariableDeclaration' ? node.declarations : []) {
      if (exported.has(declarator.id.name) && declarator.init && isFunction(declarator.init)) check(declarator.id.name, declarator.init);
    }
    if (node.type === 'ClassDeclaration' && exported.has(node.id.name)) {
      for (const member of node.body.body) {
        if (member.type !== 'MethodDefinition') continue;
        const key = member.key.name ?? member.key.value ?? `[${member.key.type}]`;
        const kind = member.kind === 'get' || member.kind === 'set' ? `${member.kind} ` : '';
        check(`${node.id.name}.${member.static ? 'static ' : ''}${kind}${key}`, member.value);
      }
    }
    const assignment = node.type === 'ExpressionStatement' && node.expression.type === 'AssignmentExpression' ? node.expression : null;
    if (assignment && isFunction(assignment.right) && assignment.left.type === 'MemberExpression' && assignment.left.object.name === 'exports') {
      check(assignment.left.property.name ?? assignment.left.property.value, assignment.right);
    }
  }
  return { checked, unguarded };
}

// The Node glue is CommonJS and `require`s the JS snippets (src/facade/js/*.js), which are
// ES modules; Node 20 before 20.19 cannot require those. Each snippet is converted by esbuild
// (a parser, not a pattern), whatever it exports; tests/packaging/glue.test.mjs loads the
// results.
export function snippetsToCommonJs(dir) {
  for (const file of jsFilesUnder(dir)) {
    const { code } = transformSync(readFileSync(file, 'utf8'), { format: 'cjs', loader: 'js', banner: "'use strict';", sourcefile: file, logLevel: 'warning' });
    writeFileSync(file, code);
  }
}

// wasm-bindgen copies every rustdoc comment into the glue (the .d.ts keeps them for editors),
// so comments and indentation are half of what a page downloads: whitespace-only minification
// halves the glue's gzip size (issue #14, BENCHMARKS.md "Weight"). Whitespace only, so every
// name and statement stays as generated and guardReport reads the shipped glue; legal and
// `@__PURE__` comments stay (esbuild keeps them).
/** Minifies the whitespace of `dir`/`crate`.js and of every JS snippet under `dir`/snippets. */
export function minifyGlueWhitespace(dir, crate) {
  for (const file of [join(dir, `${crate}.js`), ...jsFilesUnder(join(dir, 'snippets'))]) {
    const { code } = transformSync(readFileSync(file, 'utf8'), { minifyWhitespace: true, loader: 'js', sourcefile: file, logLevel: 'warning' });
    writeFileSync(file, code);
  }
}

/** The .js files under `dir`, at any depth (none when `dir` does not exist). */
function jsFilesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map((entry) => join(dir, String(entry))).filter((file) => file.endsWith('.js'));
}

/** `bytes` (a .wasm) without the export named `name`; throws when it has no such export. */
export function withoutWasmExport(bytes, name) {
  let found = false;
  const rewritten = rewriteSections(bytes, (id, contentAt) => {
    if (id !== 7) return null;
    let [count, p] = readLeb(bytes, contentAt);
    const kept = [];
    for (; count > 0; count--) {
      const entryAt = p;
      const [length, nameAt] = readLeb(bytes, p);
      const entryName = bytes.toString('utf8', nameAt, nameAt + length);
      [, p] = readLeb(bytes, nameAt + length + 1); // kind byte, then the index
      if (entryName === name) found = true;
      else kept.push(bytes.subarray(entryAt, p));
    }
    return section(7, Buffer.concat([leb(kept.length), ...kept]));
  });
  if (!found) throw new Error(`the .wasm has no export ${name}`);
  return rewritten;
}

/**
 * Hides the start function (`install_panic_hook`, src/facade/panic_guard.rs) from the
 * bindings in `dir`: wasm-bindgen 0.2.130 runs a `#[wasm_bindgen(start, private)]` function
 * through `__wbindgen_start` and writes no JS function for it, but leaves its own export in
 * the .wasm and in the declarations of the raw exports (`InitOutput`, `*_bg.wasm.d.ts`).
 * Drops the export and those two declarations (each an exact line, refused when absent);
 * refuses glue that calls it.
 */
export function hideStartExport(dir, crate, name = 'install_panic_hook') {
  const glue = readFileSync(join(dir, `${crate}.js`), 'utf8');
  if (glue.includes(name)) throw new Error(`${join(dir, `${crate}.js`)} uses ${name}: is it still \`start, private\`?`);
  const wasm = join(dir, `${crate}_bg.wasm`);
  writeFileSync(wasm, withoutWasmExport(readFileSync(wasm), name));
  const lines = {
    [`${crate}.d.ts`]: `    readonly ${name}: () => void;\n`,
    [`${crate}_bg.wasm.d.ts`]: `export const ${name}: () => void;\n`,
  };
  for (const [file, line] of Object.entries(lines)) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    if (!text.includes(line)) continue;
    if (text.split(line).length !== 2) throw new Error(`${path}: ${line.trim()} more than once`);
    writeFileSync(path, text.replace(line, ''));
  }
  const left = [`${crate}.d.ts`, `${crate}_bg.wasm.d.ts`].filter((file) => existsSync(join(dir, file)) && readFileSync(join(dir, file), 'utf8').includes(name));
  if (left.length) throw new Error(`${name} still declared in ${left.join(', ')} of ${dir}`);
}
