// Contract statuses as people read them, and the badge that shows one.
import { h } from './dom.js';

export const STATUS_LABELS = {
  DRAFT: 'Draft', REDLINING: 'With counterparty', SIGN: 'Out for signature', EXECUTED: 'Executed', ON_HOLD: 'On hold', VOIDED: 'Voided',
};

export function statusBadge(status) {
  if (!status) return h('span', { class: 'badge badge-none' }, 'Not created');
  return h('span', { class: `badge badge-${status.toLowerCase()}`, 'data-status': status }, STATUS_LABELS[status] ?? status);
}
