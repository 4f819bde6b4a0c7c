// A tiny element builder: no innerHTML anywhere in the portal, so record data (names, emails,
// SpotDraft's messages) is always text, never markup.

/**
 * `h('button', { class: 'primary', onclick: fn, disabled: true }, 'Create')`. Attributes
 * starting with `on` become listeners; `true`/`false` toggle boolean attributes; `null` and
 * `undefined` children are skipped; arrays are flattened.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked') element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces everything inside `element` with `children`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A date-time as the reader's locale shows it, with the ISO text as the machine value. */
export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return h('time', { datetime: iso }, Number.isNaN(date.getTime()) ? iso : date.toLocaleString());
}

/** Stable ids for label/description wiring. */
let counter = 0;
export const uid = (prefix) => `${prefix}-${++counter}`;
