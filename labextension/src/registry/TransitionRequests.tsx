/**
 * The version page's part for stage-transition requests: "Request
 * transition" (stage, comment, whether approving should archive what is in
 * that stage), the pending requests with Approve / Reject / Cancel (each
 * with a comment; shown when the server says the caller may), a comment box
 * and the version's activity. It only presents `RequestsState`.
 */
import * as React from 'react';

import type {
  IActivity,
  ITransitionRequest,
  RequestAction,
  Settle
} from '../api/transitionRequests';
import { fullTime } from '../common/format';
import { ErrorText, LoadingOrError } from '../common/Status';
import { canArchiveOthers } from './logic';
import { StageBadge } from './ModelsView';
import { activityText, requestableStages } from './requestsLogic';
import type { RequestsState } from './requestsState';

const SETTLE: { how: Settle; action: RequestAction; label: string }[] = [
  { how: 'approve', action: 'APPROVE_TRANSITION_REQUEST', label: 'Approve' },
  { how: 'reject', action: 'REJECT_TRANSITION_REQUEST', label: 'Reject' },
  {
    how: 'cancel',
    action: 'CANCEL_TRANSITION_REQUEST',
    label: 'Cancel request'
  }
];

function ArchiveBox(props: {
  stage: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  className: string;
}): JSX.Element | null {
  if (!canArchiveOthers(props.stage)) {
    return null;
  }
  return (
    <label className="lt-Requests-check">
      <input
        type="checkbox"
        className={props.className}
        checked={props.checked}
        onChange={e => props.onChange(e.target.checked)}
      />{' '}
      Archive the versions now in {props.stage}
    </label>
  );
}

function RequestForm(props: {
  state: RequestsState;
  currentStage: string;
}): JSX.Element {
  const { state } = props;
  const stages = requestableStages(props.currentStage);
  const [open, setOpen] = React.useState(false);
  const [stage, setStage] = React.useState(stages[0]);
  const [comment, setComment] = React.useState('');
  // As the stage dialog: archiving what is in Production is the default there.
  const [archive, setArchive] = React.useState<boolean | null>(null);
  const target = stages.includes(stage) ? stage : stages[0];
  const archiving = archive ?? target === 'Production';
  if (!open) {
    return (
      <button
        className="jp-Button jp-mod-styled jp-mod-accept lt-Requests-open"
        onClick={() => setOpen(true)}
      >
        Request transition
      </button>
    );
  }
  return (
    <form
      className="lt-Requests-form"
      onSubmit={e => {
        e.preventDefault();
        void state.request(target, comment, archiving).then(done => {
          if (done) {
            setOpen(false);
            setComment('');
          }
        });
      }}
    >
      <label>
        Move to{' '}
        <select
          className="lt-Requests-stage"
          value={target}
          onChange={e => setStage(e.target.value)}
        >
          {stages.map(s => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <textarea
        className="lt-Requests-comment"
        aria-label="Why this version should move"
        placeholder="Why should this version move? (optional)"
        rows={3}
        value={comment}
        onChange={e => setComment(e.target.value)}
      />
      <ArchiveBox
        stage={target}
        checked={archiving}
        onChange={setArchive}
        className="lt-Requests-archive"
      />
      <div className="lt-Requests-buttons">
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept lt-Requests-submit"
          disabled={state.busy}
        >
          Request
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => setOpen(false)}
        >
          Back
        </button>
      </div>
    </form>
  );
}

function PendingRequest(props: {
  state: RequestsState;
  request: ITransitionRequest;
}): JSX.Element {
  const { state, request } = props;
  const [how, setHow] = React.useState<Settle | null>(null);
  const [comment, setComment] = React.useState('');
  const [archive, setArchive] = React.useState(
    request.archive_existing_versions
  );
  const chosen = SETTLE.find(s => s.how === how);
  return (
    <li className="lt-Pending-item" data-stage={request.to_stage}>
      <div>
        <strong>{request.user_id ?? 'Someone'}</strong> asks to move this
        version to <StageBadge stage={request.to_stage} />{' '}
        <span className="lt-Activity-time">
          {fullTime(request.creation_timestamp)}
        </span>
        {request.archive_existing_versions && (
          <span className="lt-Activity-note">
            {' '}
            (and to archive the versions in {request.to_stage})
          </span>
        )}
      </div>
      {request.comment && (
        <blockquote className="lt-Activity-comment">
          {request.comment}
        </blockquote>
      )}
      {chosen ? (
        <form
          className="lt-Settle-form"
          onSubmit={e => {
            e.preventDefault();
            void state.settle(request, chosen.how, comment, archive);
          }}
        >
          <textarea
            className="lt-Settle-comment"
            aria-label={`Comment on ${chosen.label.toLowerCase()}`}
            placeholder="Comment (optional)"
            rows={2}
            value={comment}
            onChange={e => setComment(e.target.value)}
          />
          {chosen.how === 'approve' && (
            <ArchiveBox
              stage={request.to_stage}
              checked={archive}
              onChange={setArchive}
              className="lt-Settle-archive"
            />
          )}
          <div className="lt-Requests-buttons">
            <button
              type="submit"
              className={`jp-Button jp-mod-styled ${chosen.how === 'approve' ? 'jp-mod-accept' : 'jp-mod-warn'} lt-Settle-confirm`}
              disabled={state.busy}
            >
              {chosen.label}
            </button>
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-reject"
              onClick={() => setHow(null)}
            >
              Back
            </button>
          </div>
        </form>
      ) : (
        <div className="lt-Requests-buttons">
          {SETTLE.filter(s => request.available_actions.includes(s.action)).map(
            s => (
              <button
                key={s.how}
                className={`jp-Button jp-mod-styled lt-Pending-${s.how}`}
                onClick={() => setHow(s.how)}
              >
                {s.label}
              </button>
            )
          )}
        </div>
      )}
    </li>
  );
}

function CommentBox(props: { state: RequestsState }): JSX.Element {
  const { state } = props;
  const [text, setText] = React.useState('');
  return (
    <form
      className="lt-CommentBox"
      onSubmit={e => {
        e.preventDefault();
        void state.comment(text).then(done => done && setText(''));
      }}
    >
      <textarea
        className="lt-CommentBox-text"
        aria-label="Comment on this version"
        placeholder="Comment on this version (test results, a deployment note…)"
        rows={2}
        value={text}
        onChange={e => setText(e.target.value)}
      />
      <button
        type="submit"
        className="jp-Button jp-mod-styled lt-CommentBox-add"
        disabled={state.busy}
      >
        Add comment
      </button>
    </form>
  );
}

function ActivityItem(props: {
  state: RequestsState;
  activity: IActivity;
}): JSX.Element {
  const { state, activity: a } = props;
  return (
    <li className="lt-Activity-item" data-type={a.activity_type}>
      <div>
        {activityText(a)}{' '}
        <span className="lt-Activity-time">
          {fullTime(a.creation_timestamp)}
        </span>
        {a.available_actions?.includes('DELETE_COMMENT') && (
          <button
            className="lt-Tag-remove lt-Activity-delete"
            title="Delete this comment"
            aria-label="Delete this comment"
            disabled={state.busy}
            onClick={() => void state.deleteComment(a.id)}
          >
            ×
          </button>
        )}
      </div>
      {a.comment && (
        <blockquote className="lt-Activity-comment">{a.comment}</blockquote>
      )}
      {a.system_comment && (
        <div className="lt-Activity-note">{a.system_comment}</div>
      )}
    </li>
  );
}

export function TransitionRequests(props: {
  state: RequestsState;
  currentStage: string;
}): JSX.Element {
  const { state } = props;
  const activities = state.activities;
  return (
    <div className="lt-Requests">
      <h3>Transition requests</h3>
      {state.actionError && <ErrorText>{state.actionError}</ErrorText>}
      {state.pending.length > 0 ? (
        <ul className="lt-Pending">
          {state.pending.map(r => (
            <PendingRequest key={r.id} state={state} request={r} />
          ))}
        </ul>
      ) : (
        <p className="lt-RunPage-empty lt-Pending-none">No pending requests.</p>
      )}
      <RequestForm state={state} currentStage={props.currentStage} />
      <h3>Activity</h3>
      <CommentBox state={state} />
      {activities === null ? (
        <LoadingOrError error={state.error} />
      ) : activities.length === 0 ? (
        <p className="lt-RunPage-empty">Nothing yet.</p>
      ) : (
        <ul className="lt-Activity">
          {[...activities].reverse().map(a => (
            <ActivityItem key={a.id} state={state} activity={a} />
          ))}
        </ul>
      )}
    </div>
  );
}
