// The record page before a contract exists: the create body the mapping built, as a form beside
// the template's fields, checked against the template on every keystroke (the package's
// validator, in this page), and the create button — enabled only while the body is valid, and
// pressed at most once at a time (the server creates through the sync engine, once per record).
import { h, replace, uid } from './dom.js';
import { portal } from './api.js';
import { errorPanel } from './errors.js';
import { buildPayload, formFields, inputText, readInput } from './fields.js';

function inputFor(field, id, describedBy, onInput) {
  const common = { id, name: field.path, 'data-path': field.path, 'aria-describedby': describedBy, oninput: onInput, onchange: onInput };
  if (field.readOnly) return h('input', { ...common, value: inputText(field.kind, field.value), readonly: true });
  if (field.kind === 'boolean') return h('input', { ...common, type: 'checkbox', checked: field.value === true });
  if (field.kind === 'choice') {
    const values = (field.options ?? []).map((o) => o.value);
    const current = field.value === undefined ? '' : String(field.value);
    return h('select', common,
      h('option', { value: '' }, field.required ? '— choose —' : '— none —'),
      (field.options ?? []).map((o) => h('option', { value: o.value, selected: o.value === current }, o.label === o.value ? o.value : `${o.label} (${o.value})`)),
      current && !values.includes(current) ? h('option', { value: current, selected: true }, `${current} (not offered by the template)`) : null);
  }
  return h('input', {
    ...common,
    type: field.kind === 'date' ? 'date' : 'text',
    inputmode: field.kind === 'number' ? 'decimal' : undefined,
    value: inputText(field.kind, field.value),
    autocomplete: 'off',
    spellcheck: 'false',
  });
}

function fieldHint(field) {
  const parts = [];
  if (field.kind === 'list') parts.push('Comma-separated.');
  if (field.kind === 'list' && field.options?.length) parts.push(`Options: ${field.options.map((o) => o.value).join(', ')}.`);
  if (field.help) parts.push(field.help);
  if (!field.inBody) parts.push('Not set by the mapping.');
  return parts.join(' ');
}

/**
 * Renders the create view into `container`. `onCreated(result)` runs once the server answers
 * the create. Resolves when rendered.
 */
export async function renderCreateForm(container, { entry, sdk, client, onCreated }) {
  replace(container, h('p', { class: 'loading' }, 'Building the create body from the record…'));
  let base;
  try {
    base = sdk.buildCreateContract(entry.record, entry.mapping);
  } catch (error) {
    replace(container, errorPanel(error, 'The mapping could not build a create body from this record.'));
    return;
  }
  let metadata = null;
  let metadataError = null;
  try {
    // Through the proxy: this page holds no SpotDraft credentials.
    metadata = await client.getTemplateMetadata(entry.templateId);
  } catch (error) {
    metadataError = error;
  }
  const compiled = metadata ? new sdk.CompiledTemplate(metadata) : null;
  const fields = formFields(base, metadata);
  const controls = new Map();
  let busy = false;

  const summary = h('div', { class: 'validation-summary', id: 'validation-summary', role: 'status', 'aria-live': 'polite' });
  const createButton = h('button', { type: 'submit', class: 'primary', id: 'create-contract', 'aria-describedby': 'validation-summary', disabled: true }, 'Create contract');
  const outcome = h('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const errors = h('div', { class: 'errors' });

  const templateRows = new Map();
  const templateTable = metadata
    ? h('table', { class: 'template-fields' },
      h('caption', {}, `Template ${entry.templateId}: ${metadata.attributes.length} fields, ${metadata.counter_party_kind ?? ''} counterparty`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'In the body'))),
      h('tbody', {}, metadata.attributes.map((attribute) => {
        const state = h('td', { class: 'state' });
        templateRows.set(`contract_data.${attribute.variable}`, state);
        return h('tr', {},
          h('th', { scope: 'row' }, attribute.display_label, h('br'), h('code', {}, attribute.variable)),
          h('td', {}, attribute.type, attribute.required === false ? ' (optional)' : ''),
          state);
      })))
    : errorPanel(metadataError, `Template ${entry.templateId}'s fields could not be read, so the body cannot be checked against them and the contract cannot be created.`);

  const validate = () => {
    const values = fields.map((field) => {
      const control = controls.get(field.path);
      return [field.path, field.readOnly ? field.value : readInput(field.kind, control.input.value, control.input.checked)];
    });
    const payload = buildPayload(base, values);
    const report = compiled ? compiled.validate(payload) : sdk.validateCreateContract(payload);
    const byPath = new Map();
    const elsewhere = [];
    for (const issue of report.issues) {
      if (controls.has(issue.path)) byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue]);
      else elsewhere.push(issue);
    }
    for (const [path, control] of controls) {
      const issues = byPath.get(path) ?? [];
      control.input.setAttribute('aria-invalid', issues.length ? 'true' : 'false');
      control.row.classList.toggle('invalid', issues.length > 0);
      replace(control.issue, issues.map((issue) => h('span', { class: 'issue-line', 'data-code': issue.code },
        issue.message, issue.suggestion ? ` Suggestion: ${issue.suggestion}.` : '', ' ', h('code', { class: 'path' }, issue.path))));
    }
    for (const [path, cell] of templateRows) {
      const problem = report.issues.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
      const present = values.some(([p, v]) => v !== undefined && (p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)));
      replace(cell, problem ? h('span', { class: 'mark bad' }, '✗ problem') : present ? h('span', { class: 'mark ok' }, '✓ set') : h('span', { class: 'mark none' }, '— not set'));
    }
    replace(summary,
      !compiled ? h('p', {}, 'Cannot create: the template\'s fields could not be read.')
        : report.valid ? h('p', { class: 'ok' }, 'The body matches the template. Ready to create.')
          : [h('p', {}, `${report.issues.length} ${report.issues.length === 1 ? 'problem' : 'problems'} to fix before creating:`),
            h('ul', {}, report.issues.map((issue) => h('li', {},
              controls.has(issue.path)
                ? h('a', { href: `#field-${issue.path}`, 'data-focus': issue.path, onclick: (event) => { event.preventDefault(); controls.get(issue.path).input.focus(); } }, h('code', {}, issue.path))
                : h('code', {}, issue.path || '(body)'),
              ' ', issue.message)))]);
    createButton.disabled = busy || !compiled || !report.valid;
    return { payload, report };
  };

  const groups = new Map();
  for (const field of fields) {
    const id = uid('field');
    const hintId = `${id}-hint`;
    const issueId = `${id}-issue`;
    const input = inputFor(field, id, `${hintId} ${issueId}`, validate);
    const issue = h('p', { class: 'issue', id: issueId });
    const hint = fieldHint(field);
    const row = h('div', { class: `field field-${field.kind}`, id: `field-${field.path}` },
      h('label', { for: id }, field.label, field.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      input,
      h('p', { class: 'hint', id: hintId }, h('code', {}, field.path), hint ? ` · ${hint}` : ''),
      issue);
    controls.set(field.path, { input, issue, row });
    if (!groups.has(field.group)) groups.set(field.group, []);
    groups.get(field.group).push(row);
  }

  const form = h('form', {
    class: 'create-form', novalidate: true, 'aria-labelledby': 'create-heading',
    onsubmit: async (event) => {
      event.preventDefault();
      const { payload, report } = validate();
      if (busy || !report.valid || !compiled) return;
      busy = true;
      createButton.disabled = true;
      createButton.setAttribute('aria-busy', 'true');
      createButton.textContent = 'Creating…';
      replace(errors);
      replace(outcome);
      try {
        const result = await portal.create(entry.id, payload);
        onCreated(result);
      } catch (error) {
        replace(errors, errorPanel(error, 'Creating the contract failed.'));
        busy = false;
        createButton.removeAttribute('aria-busy');
        createButton.textContent = 'Create contract';
        validate();
      }
    },
  },
  h('div', { class: 'form-actions' }, summary, createButton, outcome),
  [...groups].map(([name, rows]) => h('fieldset', {}, h('legend', {}, name), rows)));

  replace(container,
    h('div', { class: 'create-layout' },
      h('section', { class: 'panel', 'aria-labelledby': 'create-heading' },
        h('h2', { id: 'create-heading' }, 'Create body'),
        h('p', { class: 'lede' }, 'Built from the record by its mapping. Every value can be edited; it is checked against the template as you type, in this page.'),
        errors,
        form),
      h('aside', { class: 'panel', 'aria-labelledby': 'template-heading' },
        h('h2', { id: 'template-heading' }, 'Template fields'),
        templateTable)));
  validate();
}
