// The component's steps that involve no LWC API: the create body from an Opportunity, its
// problems as rows for the template, and an error as one line of text. `sd` is the package
// (`window.SpotDraftSync` once the static resource is loaded). Plain JavaScript with no LWC
// import, so it runs unchanged in node:test (tests/examples/salesforce-lwc.test.mjs).

/**
 * Maps `record` (the Opportunity as SpotDraftProxy.getOpportunityRecord returns it) with
 * `mapping` and validates the body against `templateMetadata` when given.
 * Returns `{ payload, issues }`: `payload` is `null` when the mapping itself failed; `issues`
 * lists every problem (`path`, `code`, `message`, and `sourcePath` for a mapping problem: the
 * Opportunity field to fix).
 */
export function prepareCreate(sd, record, mapping, templateMetadata) {
  let payload;
  try {
    payload = sd.buildCreateContract(record, mapping);
  } catch (error) {
    if (sd.isSpotDraftError(error) && error.code === 'VALIDATION_FAILED' && Array.isArray(error.details)) {
      return { payload: null, issues: error.details.map(toIssue) };
    }
    throw error;
  }
  const report = templateMetadata === undefined ? sd.validateCreateContract(payload) : sd.validateCreateContract(payload, templateMetadata);
  return { payload, issues: report.issues.map(toIssue) };
}

function toIssue(issue, index) {
  const row = { key: `${index}:${issue.path}:${issue.code}`, path: issue.path, code: issue.code, message: issue.message };
  if (issue.sourcePath !== undefined) row.sourcePath = issue.sourcePath;
  if (issue.suggestion !== undefined) row.suggestion = issue.suggestion;
  return row;
}

/**
 * One line for the user: the package's code and message; for a failed Apex call (LWC's
 * `{ body: { message } }`) its message; else the error's message.
 */
export function describeError(sd, error) {
  if (sd && sd.isSpotDraftError(error)) {
    const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
    return `${error.code}${status}: ${error.message}`;
  }
  if (error && error.body && typeof error.body.message === 'string') return error.body.message;
  return error && typeof error.message === 'string' ? error.message : String(error);
}
