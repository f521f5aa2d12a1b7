/**
 * A main-area tab: a run's captured notebook version against the notebook as
 * it is now on disk, cell by cell (inputs and outputs; nbdime on the server).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { DiffText } from '../compare/NotebookDiff';
import { notebookDiffWithFile } from './api';

function FileDiff(props: {
  runId: string;
  runName: string;
  path: string;
}): JSX.Element {
  const { runId, path } = props;
  const [text, setText] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    let cancelled = false;
    setError(null);
    notebookDiffWithFile(runId, path)
      .then(reply => {
        if (!cancelled) {
          setText(reply.diff.length ? reply.text : '');
        }
      })
      .catch(reason => {
        if (!cancelled) {
          setError(String(reason.message ?? reason));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [runId, path, tick]);
  return (
    <section className="lt-NotebookDiff lt-FileDiff">
      <h3>
        Run <span className="lt-FileDiff-run">{props.runName}</span> against{' '}
        <code className="lt-FileDiff-path">{path}</code> on disk
      </h3>
      <div className="lt-Compare-controls">
        <span className="lt-FileDiff-legend">
          <span className="lt-mod-remove">- captured version</span>{' '}
          <span className="lt-mod-add">+ current notebook</span>
        </span>
        <button
          className="jp-Button lt-FileDiff-refresh"
          onClick={() => setTick(t => t + 1)}
        >
          Refresh
        </button>
      </div>
      {error && <div className="lt-RunPage-error">{error}</div>}
      {text === null && !error && (
        <div className="lt-Artifacts-loading">Loading…</div>
      )}
      {text !== null && (
        <DiffText
          text={text}
          same="The notebook on disk is the same as the captured version."
        />
      )}
    </section>
  );
}

export class NotebookFileDiffWidget extends ReactWidget {
  constructor(
    readonly runId: string,
    readonly runName: string,
    readonly path: string
  ) {
    super();
    this.id = `labtrack-file-diff-${runId}`;
    this.addClass('lt-RunPageWidget');
    this.title.label = `Diff: ${path.split('/').pop()} @ run ${runName}`;
    this.title.caption = `Run ${runName} (${runId}) against ${path} on disk`;
    this.title.closable = true;
  }

  protected render(): JSX.Element {
    return (
      <FileDiff runId={this.runId} runName={this.runName} path={this.path} />
    );
  }
}
