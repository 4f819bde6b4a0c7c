// The record page's form model: the create body the mapping built, flattened into one field per
// value (its JSON path, e.g. `counter_party_details[0].poc_details.email`), joined with the
// template's fields (label, type, options, required) so a field the body lacks can be filled
// too; and back: the edited fields written over the mapped body. Pure functions, no DOM.

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
export function parsePath(path) {
  const parts = [];
  for (const piece of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(piece);
    if (!match) throw new Error(`bad path ${path}`);
    if (match[1]) parts.push(match[1]);
    for (const index of match[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

export function getPath(value, path) {
  return parsePath(path).reduce((node, key) => (node === null || node === undefined ? undefined : node[key]), value);
}

export function setPath(value, path, leaf) {
  const parts = parsePath(path);
  let node = value;
  parts.forEach((key, i) => {
    if (i === parts.length - 1) {
      node[key] = leaf;
      return;
    }
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof parts[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
}

export function deletePath(value, path) {
  const parts = parsePath(path);
  const parent = parts.slice(0, -1).reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), value);
  if (parent && typeof parent === 'object') delete parent[parts.at(-1)];
}

const isScalar = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Every leaf of `value` (arrays of scalars count as one leaf), as [path, value]. */
export function leaves(value, prefix = '') {
  if (isScalar(value) || (Array.isArray(value) && value.every(isScalar) && value.length > 0)) return [[prefix, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${prefix}[${i}]`));
  return Object.entries(value).flatMap(([key, item]) => leaves(item, prefix ? `${prefix}.${key}` : key));
}

/** The field kinds the form renders. */
const KIND_BY_TEMPLATE_TYPE = {
  string: 'text', date: 'date', datetime: 'text', float: 'number', int: 'number', integer: 'number',
  boolean: 'boolean', enum: 'choice', 'array of options': 'list', 'array of strings': 'list',
};

function kindOf(value, attribute) {
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return 'number';
  const fromTemplate = attribute && KIND_BY_TEMPLATE_TYPE[attribute.type];
  if (fromTemplate === 'choice' && typeof value === 'string') return 'choice';
  if (fromTemplate === 'date' && (value === undefined || /^\d{4}-\d{2}-\d{2}$/.test(value))) return 'date';
  return fromTemplate && value === undefined ? fromTemplate : 'text';
}

/** The group a field is shown in, by the first part of its path. */
function groupOf(path) {
  const head = parsePath(path)[0];
  if (head === 'contract_data') return 'Contract data';
  if (head === 'counter_party_details') return 'Counterparty';
  if (head === 'signatories' || head === 'signatory_details') return 'Signatories';
  if (head === 'external_metadata') return 'External metadata';
  return 'Contract';
}

const TOP_LEVEL_LABELS = {
  contract_name: 'Contract name',
  contract_template_id: 'Template id',
  entity_reference_id: 'Creator entity (entity_reference_id)',
  'external_metadata.id': 'External id (this record)',
};

const WORDS = { poc_details: 'Contact', organization_details: 'Organisation', iso: 'ISO', msa: 'MSA' };

/** A readable label for a path without a template label: `counter_party_details[0].poc_details.email` → "Contact › Email". */
function labelFromPath(path) {
  const parts = parsePath(path).filter((p) => !['contract_data', 'counter_party_details', 'external_metadata'].includes(p) && p !== 0);
  const word = (p) => WORDS[p] ?? p.split('_').map((w) => WORDS[w] ?? w).join(' ');
  const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  return parts.map((p) => (typeof p === 'number' ? `#${p + 1}` : capital(word(p)))).join(' › ');
}

/** The template attribute for a body path (`contract_data.pricing_schedule[0].amount` → `pricing_schedule`'s parts are not described). */
function attributeFor(path, attributesByVariable) {
  if (!path.startsWith('contract_data.')) return undefined;
  return attributesByVariable.get(path.slice('contract_data.'.length));
}

/**
 * The form's fields for `payload` (the mapped create body) and `metadata` (the template's, or
 * null when it could not be read): one per leaf of the body, then each template field the
 * body lacks (composite parts such as `billing_currency.value` included; repeating groups and
 * files are not offered empty), then the creator entity. Each field: { path, group, label,
 * kind, value, required, options, help, readOnly, inBody }.
 */
export function formFields(payload, metadata) {
  const attributes = metadata?.attributes ?? [];
  const byVariable = new Map(attributes.map((a) => [a.variable, a]));
  const fields = leaves(payload).map(([path, value]) => {
    const attribute = attributeFor(path, byVariable);
    return {
      path, value, inBody: true,
      group: groupOf(path),
      label: attribute?.display_label ?? TOP_LEVEL_LABELS[path] ?? labelFromPath(path),
      kind: kindOf(value, attribute),
      required: attribute ? attribute.required !== false : undefined,
      options: attribute?.options,
      help: attribute?.help_text,
      readOnly: path === 'contract_template_id' || path === 'external_metadata.id',
    };
  });
  const present = new Set(fields.map((f) => f.path));
  for (const attribute of attributes) {
    const path = `contract_data.${attribute.variable}`;
    if (present.has(path) || !KIND_BY_TEMPLATE_TYPE[attribute.type]) continue;
    if ([...present].some((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`))) continue;
    fields.push({
      path, value: undefined, inBody: false, group: 'Contract data', label: attribute.display_label,
      kind: kindOf(undefined, attribute), required: attribute.required !== false, options: attribute.options, help: attribute.help_text, readOnly: false,
    });
  }
  if (!present.has('entity_reference_id')) {
    fields.push({ path: 'entity_reference_id', value: undefined, inBody: false, group: 'Contract', label: TOP_LEVEL_LABELS.entity_reference_id, kind: 'text', required: false, help: 'Empty: the workspace\'s primary entity.', readOnly: false });
  }
  const order = ['Contract', 'Contract data', 'Counterparty', 'Signatories', 'External metadata'];
  // Contract data in the template's order (a value the template does not describe last).
  const templateIndex = (path) => {
    const i = attributes.findIndex((a) => [`contract_data.${a.variable}`, `contract_data.${a.variable.split('.')[0]}`].some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)));
    return i === -1 ? attributes.length : i;
  };
  return fields
    .map((field, i) => ({ field, i, t: field.group === 'Contract data' ? templateIndex(field.path) : 0 }))
    .sort((a, b) => order.indexOf(a.field.group) - order.indexOf(b.field.group) || a.t - b.t || a.i - b.i)
    .map(({ field }) => field);
}

/**
 * The value a field's input text stands for: undefined (leave the key out) for an empty
 * input; a number when the text is one (else the text itself, so validation names the
 * problem instead of the portal guessing); a list split at commas.
 */
export function readInput(kind, text, checked) {
  if (kind === 'boolean') return checked;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
  if (kind === 'list') return trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  return text;
}

/** The text an input shows for a value. */
export function inputText(kind, value) {
  if (value === undefined || value === null) return '';
  if (kind === 'list') return Array.isArray(value) ? value.join(', ') : String(value);
  return String(value);
}

/** The mapped body with every field's current value written over it. */
export function buildPayload(base, values) {
  const payload = structuredClone(base);
  for (const [path, value] of values) {
    if (value === undefined) deletePath(payload, path);
    else setPath(payload, path, value);
  }
  return payload;
}
