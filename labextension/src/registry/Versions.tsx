/**
 * A registered model's versions: registered at, by whom, stage (moved with
 * a confirmation that can archive the versions in the target stage),
 * aliases (added and removed in place), source run and stage history.
 * Changes go through `ModelPageState`.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { type IModelVersion, STAGES } from '../api/types';
import { ActionLink } from '../common/ActionLink';
import { fullTime } from '../common/format';
import { ErrorText, Loading } from '../common/Status';
import { canArchiveOthers } from './logic';
import { StageBadge } from './ModelsView';
import { pendingSummary } from './requestsLogic';
import type { IHistory, ModelPageState } from './state';

export interface IVersionsProps {
  state: ModelPageState;
  onOpenRun: (runId: string) => void;
}

/** Ask before a stage change; resolves to null when cancelled. */
async function confirmStage(
  v: IModelVersion,
  stage: string,
  others: IModelVersion[]
): Promise<{ archive: boolean } | null> {
  const inStage = others.filter(
    o => o.version !== v.version && o.current_stage === stage
  );
  const archivable = canArchiveOthers(stage) && inStage.length > 0;
  const list = inStage.map(o => `v${o.version}`).join(', ');
  const result = await showDialog({
    title: `Move version ${v.version} to ${stage}`,
    body:
      `Version ${v.version} of ${v.name} goes from ${v.current_stage} to ${stage}.` +
      (archivable ? ` In ${stage} now: ${list}.` : ''),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Move' })],
    checkbox: archivable
      ? {
          label: `Archive the current ${stage} versions (${list})`,
          caption: `Move ${list} to Archived in the same step`,
          checked: stage === 'Production'
        }
      : null
  });
  if (!result.button.accept) {
    return null;
  }
  return { archive: archivable && Boolean(result.isChecked) };
}

function Aliases(props: {
  v: IModelVersion;
  state: ModelPageState;
}): JSX.Element {
  const { v, state } = props;
  const [draft, setDraft] = React.useState('');
  return (
    <span className="lt-Aliases">
      {v.aliases.map(alias => (
        <span key={alias} className="lt-Tag lt-Alias">
          <span className="lt-Tag-key">@{alias}</span>
          <button
            className="lt-Tag-remove"
            title={`Remove alias ${alias}`}
            onClick={() => void state.deleteAlias(v, alias)}
          >
            ×
          </button>
        </span>
      ))}
      <form
        className="lt-Aliases-add"
        onSubmit={e => {
          e.preventDefault();
          const alias = draft.trim();
          if (alias) {
            setDraft('');
            void state.setAlias(v, alias);
          }
        }}
      >
        <input
          className="lt-Aliases-input"
          placeholder="alias"
          aria-label={`Add an alias to version ${v.version}`}
          value={draft}
          onChange={e => setDraft(e.target.value)}
        />
      </form>
    </span>
  );
}

function History(props: { history: IHistory }): JSX.Element {
  const { rows, error } = props.history;
  if (error) {
    return <ErrorText>{error}</ErrorText>;
  }
  if (rows === null) {
    return <Loading />;
  }
  if (rows.length === 0) {
    return <p className="lt-RunPage-empty">No stage changes yet.</p>;
  }
  return (
    <ul className="lt-History">
      {rows.map((t, i) => (
        <li key={i}>
          {fullTime(t.timestamp)}: {t.from_stage} → {t.to_stage}
          {t.user_id ? ` by ${t.user_id}` : ''}
        </li>
      ))}
    </ul>
  );
}

function VersionRow(props: IVersionsProps & { v: IModelVersion }): JSX.Element {
  const { v, state } = props;
  const history = state.history(v.version);
  const pending = state.pendingOf(v.version);
  const [moving, setMoving] = React.useState(false);
  const move = async (stage: string): Promise<void> => {
    const answer = await confirmStage(v, stage, state.versions);
    if (!answer) {
      return;
    }
    setMoving(true);
    try {
      await state.moveStage(v, stage, answer.archive);
    } finally {
      setMoving(false);
    }
  };
  return (
    <>
      <tr className="lt-Versions-row" data-version={v.version}>
        <th>
          <ActionLink
            target={String(v.version)}
            className="lt-Versions-open"
            title={`Open version ${v.version}: signature, description, how to load it`}
            onOpen={() => state.openVersion(v.version)}
          >
            {v.version}
          </ActionLink>
        </th>
        <td title={fullTime(v.creation_timestamp)}>
          {fullTime(v.creation_timestamp)}
        </td>
        <td>{v.user_id ?? ''}</td>
        <td className="lt-Versions-stage">
          <StageBadge stage={v.current_stage} />
          {pending.length > 0 && (
            <ActionLink
              target={String(v.version)}
              className="lt-Versions-pending"
              title={`Pending requests: ${pendingSummary(pending)}. Open the version to approve or reject.`}
              onOpen={() => state.openVersion(v.version)}
            >
              {pending.length} pending
            </ActionLink>
          )}
          <select
            className="lt-Versions-move"
            aria-label={`Move version ${v.version} to a stage`}
            value=""
            disabled={moving}
            onChange={e => void move(e.target.value)}
          >
            <option value="" disabled>
              {moving ? 'Moving…' : 'Move to…'}
            </option>
            {STAGES.filter(s => s !== v.current_stage).map(s => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </td>
        <td>
          <Aliases v={v} state={state} />
        </td>
        <td>
          {v.run_id ? (
            <ActionLink
              target={v.run_id}
              className="lt-Versions-run"
              title={`Open run ${v.run_id}`}
              onOpen={props.onOpenRun}
            >
              {v.run_id.slice(0, 8)}
            </ActionLink>
          ) : (
            v.source
          )}
        </td>
        <td>
          <button
            className="jp-Button jp-mod-styled lt-Versions-history"
            onClick={() => state.toggleHistory(v)}
          >
            {history ? 'Hide' : 'History'}
          </button>
        </td>
      </tr>
      {history && (
        <tr>
          <td colSpan={7}>
            <History history={history} />
          </td>
        </tr>
      )}
    </>
  );
}

export function Versions(props: IVersionsProps): JSX.Element {
  const { state } = props;
  if (state.versions.length === 0) {
    return <p className="lt-RunPage-empty">No versions.</p>;
  }
  return (
    <>
      {state.versionsError && <ErrorText>{state.versionsError}</ErrorText>}
      <table className="lt-Table lt-Versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Registered at</th>
            <th>Created by</th>
            <th>Stage</th>
            <th>Aliases</th>
            <th>Source run</th>
            <th>Stage history</th>
          </tr>
        </thead>
        <tbody>
          {state.versions.map(v => (
            <VersionRow key={v.version} {...props} v={v} />
          ))}
        </tbody>
      </table>
    </>
  );
}
