/**
 * A registered model's versions: registered at, by whom, stage (moved with
 * a confirmation that can archive the versions in the target stage),
 * aliases (added and removed in place), source run and stage history.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { fullTime } from '../components/format';
import { errorMessage } from '../models/errors';
import { deleteAlias, getTransitions, setAlias, setStage } from './api';
import { canArchiveOthers } from './logic';
import { StageBadge } from './ModelsView';
import { IModelVersion, ITransition, STAGES } from './types';

export interface IVersionsProps {
  name: string;
  versions: IModelVersion[];
  onChanged: () => void;
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
  onChanged: () => void;
  onError: (message: string | null) => void;
}): JSX.Element {
  const { v } = props;
  const [draft, setDraft] = React.useState('');
  const run = (call: Promise<unknown>): void => {
    call
      .then(() => {
        props.onError(null);
        props.onChanged();
      })
      .catch(reason => props.onError(errorMessage(reason)));
  };
  return (
    <span className="lt-Aliases">
      {v.aliases.map(alias => (
        <span key={alias} className="lt-Tag lt-Alias">
          <span className="lt-Tag-key">@{alias}</span>
          <button
            className="lt-Tag-remove"
            title={`Remove alias ${alias}`}
            onClick={() => run(deleteAlias(v.name, alias))}
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
            run(setAlias(v.name, alias, v.version));
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

function History(props: { v: IModelVersion }): JSX.Element {
  const { v } = props;
  const [rows, setRows] = React.useState<ITransition[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    getTransitions(v.name, v.version)
      .then(reply => setRows(reply.transitions))
      .catch(reason => setError(errorMessage(reason)));
  }, [v.name, v.version, v.current_stage]);
  if (error) {
    return <div className="lt-RunPage-error">{error}</div>;
  }
  if (rows === null) {
    return <div className="lt-Artifacts-loading">Loading…</div>;
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

function VersionRow(
  props: IVersionsProps & {
    v: IModelVersion;
    onError: (message: string | null) => void;
  }
): JSX.Element {
  const { v } = props;
  const [history, setHistory] = React.useState(false);
  const [moving, setMoving] = React.useState(false);
  const move = async (stage: string): Promise<void> => {
    const answer = await confirmStage(v, stage, props.versions);
    if (!answer) {
      return;
    }
    setMoving(true);
    try {
      await setStage(v.name, v.version, stage, answer.archive);
      props.onError(null);
      props.onChanged();
    } catch (reason) {
      props.onError(errorMessage(reason));
    } finally {
      setMoving(false);
    }
  };
  return (
    <>
      <tr className="lt-Versions-row" data-version={v.version}>
        <th>{v.version}</th>
        <td title={fullTime(v.creation_timestamp)}>
          {fullTime(v.creation_timestamp)}
        </td>
        <td>{v.user_id ?? ''}</td>
        <td className="lt-Versions-stage">
          <StageBadge stage={v.current_stage} />
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
          <Aliases v={v} onChanged={props.onChanged} onError={props.onError} />
        </td>
        <td>
          {v.run_id ? (
            <a
              href="#"
              className="lt-RunLink lt-Versions-run"
              title={`Open run ${v.run_id}`}
              onClick={e => {
                e.preventDefault();
                props.onOpenRun(v.run_id as string);
              }}
            >
              {v.run_id.slice(0, 8)}
            </a>
          ) : (
            v.source
          )}
        </td>
        <td>
          <button
            className="jp-Button jp-mod-styled lt-Versions-history"
            onClick={() => setHistory(h => !h)}
          >
            {history ? 'Hide' : 'History'}
          </button>
        </td>
      </tr>
      {history && (
        <tr>
          <td colSpan={7}>
            <History v={v} />
          </td>
        </tr>
      )}
    </>
  );
}

export function Versions(props: IVersionsProps): JSX.Element {
  const [error, setError] = React.useState<string | null>(null);
  if (props.versions.length === 0) {
    return <p className="lt-RunPage-empty">No versions.</p>;
  }
  return (
    <>
      {error && <div className="lt-RunPage-error">{error}</div>}
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
          {props.versions.map(v => (
            <VersionRow key={v.version} {...props} v={v} onError={setError} />
          ))}
        </tbody>
      </table>
    </>
  );
}
