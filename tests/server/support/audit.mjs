// The store tests' comparison of stored records with the sandbox's truth, and of the events
// a record holds with the events it was sent (a lost update is an event missing from it).
import { truthProblems } from '../../node/support/chaos.mjs';

/** An event's key as the engine keeps it in `appliedEventKeys` (time normalised to ISO). */
export function eventKey(event) {
  return `${new Date(event.activity_data.timestamp).toISOString()}|${event.contract_id}|${event.activity}`;
}

const normalised = (key) => {
  const [at, ...rest] = key.split('|');
  return [new Date(at).toISOString(), ...rest].join('|');
};

/** Adds the events of `bodies` (JSON text) to `events`: contract id → Set of event keys. */
export function noteEvents(events, body) {
  const event = JSON.parse(body);
  const set = events.get(event.contract_id) ?? new Set();
  set.add(eventKey(event));
  events.set(event.contract_id, set);
}

/**
 * Compares the record `get(contract:<id>)` of each sandbox contract in `truth` with it
 * (chaos.mjs's truthProblems, and its external copy) and with the `events` it was
 * sent. Resolves to `{ mismatches, lostEvents }`.
 */
export async function auditAgainstTruth({ truth, get, events }) {
  const mismatches = [];
  let lostEvents = 0;
  for (const c of truth) {
    const r = await get(`contract:${c.id}`);
    const problems = truthProblems(r, c);
    if (r) {
      const applied = new Set(r.appliedEventKeys.map(normalised));
      const lost = [...(events.get(c.id) ?? [])].filter((key) => !applied.has(key));
      if (lost.length) { lostEvents += lost.length; problems.push(`lost ${lost.join(', ')}`); }
      const copy = await get(`external:${c.external_metadata_id}`);
      if (copy?.contractId !== c.id) problems.push('external copy');
    }
    if (problems.length) mismatches.push(`${c.composite_id}: ${problems.join(', ')}`);
  }
  return { mismatches, lostEvents };
}
