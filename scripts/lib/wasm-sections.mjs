// Reading and rewriting a .wasm module's sections, for the build's small binary edits
// (scripts/lib/wasm-abi.mjs: `target_features`; scripts/lib/glue-patches.mjs: an export).

/** The unsigned LEB128 in `bytes` at `at`: `[value, next offset]`. */
export function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** `n` as unsigned LEB128. */
export function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

/** A wasm name: its byte length as LEB128, then its UTF-8 bytes. */
export function wasmName(s) {
  return Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);
}

/** Section `id` with `payload` as its content (the size is computed). */
export function section(id, payload) {
  return Buffer.concat([Buffer.from([id]), leb(payload.length), payload]);
}

/**
 * `bytes` with each section passed through `rewrite(id, contentAt, end)`, which returns the
 * section's replacement (a Buffer) or `null` to keep it as it is. The header is kept.
 */
export function rewriteSections(bytes, rewrite) {
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, contentAt] = readLeb(bytes, at + 1);
    const end = contentAt + size;
    parts.push(rewrite(id, contentAt, end) ?? bytes.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts);
}
