/**
 * Pure helpers of the transition-request views: how an activity reads, which
 * stages a version can be asked to move to, which versions wait on requests.
 */
import type { IActivity, ITransitionRequest } from '../api/transitionRequests';
import { STAGES } from '../api/types';

/** The stages a version in `current` can be asked to move to. */
export const requestableStages = (current: string): string[] =>
  STAGES.filter(s => s !== current);

const who = (user: string | null): string => user || 'Someone';

/**
 * One line for an activity, as Databricks' activity list words it.
 *
 * >>> activityText({activity_type: 'REQUESTED_TRANSITION', user_id: 'bob',
 * ...   from_stage: 'None', to_stage: 'Production', ...})
 * 'bob requested a transition from None to Production'
 */
export function activityText(a: IActivity): string {
  const from = a.from_stage ?? 'None';
  const to = a.to_stage ?? 'None';
  switch (a.activity_type) {
    case 'REQUESTED_TRANSITION':
      return `${who(a.user_id)} requested a transition from ${from} to ${to}`;
    case 'APPROVED_REQUEST':
      return `${who(a.user_id)} approved the request to move from ${from} to ${to}`;
    case 'REJECTED_REQUEST':
      return `${who(a.user_id)} rejected the request to move to ${to}`;
    case 'CANCELLED_REQUEST':
      return `${who(a.user_id)} cancelled the request to move to ${to}`;
    case 'APPLIED_TRANSITION':
      return `${who(a.user_id)} moved this version from ${from} to ${to}`;
    case 'SYSTEM_TRANSITION':
      return `Moved from ${from} to ${to} automatically`;
    case 'NEW_COMMENT':
      return `${who(a.user_id)} commented`;
    default:
      return `${who(a.user_id)}: ${String(a.activity_type)}`;
  }
}

/** The pending requests of each version, oldest first. */
export function pendingByVersion(
  requests: ITransitionRequest[]
): Map<number, ITransitionRequest[]> {
  const out = new Map<number, ITransitionRequest[]>();
  for (const r of requests) {
    const list = out.get(r.version) ?? [];
    list.push(r);
    out.set(r.version, list);
  }
  return out;
}

/** What a version's pending requests ask, for a tooltip: "Production (bob)". */
export function pendingSummary(requests: ITransitionRequest[]): string {
  return requests.map(r => `${r.to_stage} (${who(r.user_id)})`).join(', ');
}
