/**
 * Stage-transition requests, comments and a version's activity
 * (`registered-models/{name}/transition-requests`,
 * `.../versions/{v}/transition-requests|comments|activities`), with their
 * wire types. Field names are those of Databricks' model registry.
 */
import { type ITransport, jsonInit, q } from './transport';

/** What the caller may do with a pending request. */
export type RequestAction =
  | 'APPROVE_TRANSITION_REQUEST'
  | 'REJECT_TRANSITION_REQUEST'
  | 'CANCEL_TRANSITION_REQUEST';

export interface ITransitionRequest {
  id: string;
  name: string;
  version: number;
  to_stage: string;
  user_id: string | null;
  creation_timestamp: number;
  comment: string | null;
  state: string;
  /** The requester asks that approving archive what is in `to_stage`. */
  archive_existing_versions: boolean;
  available_actions: RequestAction[];
}

export type ActivityType =
  | 'REQUESTED_TRANSITION'
  | 'APPROVED_REQUEST'
  | 'REJECTED_REQUEST'
  | 'CANCELLED_REQUEST'
  | 'APPLIED_TRANSITION'
  | 'SYSTEM_TRANSITION'
  | 'NEW_COMMENT';

export interface IActivity {
  id: string;
  name: string;
  version: number;
  activity_type: ActivityType;
  user_id: string | null;
  creation_timestamp: number;
  last_updated_timestamp: number;
  from_stage: string | null;
  to_stage: string | null;
  comment: string | null;
  system_comment: string | null;
  /** Comments only: EDIT_COMMENT, DELETE_COMMENT. */
  available_actions?: string[];
}

export interface IVersionActivities {
  activities: IActivity[];
  requests: ITransitionRequest[];
  /** Who is calling, and their permission on the model (READ, EDIT, MANAGE). */
  user: string | null;
  permission: string | null;
}

export interface IComment {
  id: string;
  name: string;
  version: number;
  user_id: string | null;
  comment: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  available_actions: string[];
}

/** How a pending request is settled: the route's last part. */
export type Settle = 'approve' | 'reject' | 'cancel';

export interface ISettleBody {
  stage: string;
  comment?: string;
  archive_existing_versions?: boolean;
  creator?: string;
}

const version = (name: string, v: number): string =>
  `registered-models/${q(name)}/versions/${v}`;

export class TransitionRequestsAPI {
  constructor(private readonly _transport: ITransport) {}

  /** The pending requests of every version of the model. */
  pending(name: string): Promise<{ requests: ITransitionRequest[] }> {
    return this._transport.request(
      `registered-models/${q(name)}/transition-requests`
    );
  }

  /** A version's activity, its pending requests and the caller's rights. */
  activities(name: string, v: number): Promise<IVersionActivities> {
    return this._transport.request<IVersionActivities>(
      `${version(name, v)}/activities`
    );
  }

  create(
    name: string,
    v: number,
    body: {
      stage: string;
      comment?: string;
      archive_existing_versions: boolean;
    }
  ): Promise<{ request: ITransitionRequest }> {
    return this._transport.request(
      `${version(name, v)}/transition-requests`,
      jsonInit('POST', body)
    );
  }

  settle(
    name: string,
    v: number,
    how: Settle,
    body: ISettleBody
  ): Promise<{ activity: IActivity }> {
    return this._transport.request(
      `${version(name, v)}/transition-requests/${how}`,
      jsonInit('POST', body)
    );
  }

  comment(
    name: string,
    v: number,
    comment: string
  ): Promise<{ comment: IComment }> {
    return this._transport.request(
      `${version(name, v)}/comments`,
      jsonInit('POST', { comment })
    );
  }

  deleteComment(name: string, v: number, id: string): Promise<void> {
    return this._transport.request<void>(
      `${version(name, v)}/comments/${q(id)}`,
      { method: 'DELETE' }
    );
  }
}
