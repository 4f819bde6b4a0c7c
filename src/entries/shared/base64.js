// Base64 text → bytes for the entries that carry their .wasm inline. Native where the engine
// has it (`Uint8Array.fromBase64`: Chromium 140+, Firefox 133+, Safari 18.2+; Node's Buffer),
// so no per-character JS loop runs there; `atob` plus a copy loop only on older engines.

/** Decodes standard base64 (with padding) to a new `Uint8Array`. */
export function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const NodeBuffer = globalThis.Buffer;
  if (typeof NodeBuffer === 'function' && typeof NodeBuffer.from === 'function') {
    const buffer = NodeBuffer.from(text, 'base64');
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
