/**
 * A main-area tab: a run's captured notebook version against the notebook as
 * it is now on disk, cell by cell (inputs and outputs; nbdime on the server).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import '../../style/runpage.css';
import type { LabtrackAPI } from '../api/client';
import { DiffText } from '../common/DiffText';
import { ErrorText, Loading } from '../common/Status';
import { FileDiffState } from './diffState';

let counter = 0;

function FileDiff(props: {
  state: FileDiffState;
  runName: string;
}): JSX.Element {
  const { state } = props;
  const { text, error } = state;
  return (
    <section className="lt-NotebookDiff lt-FileDiff">
      <h3>
        Run <span className="lt-FileDiff-run">{props.runName}</span> against{' '}
        <code className="lt-FileDiff-path">{state.path}</code> on disk
      </h3>
      <div className="lt-Compare-controls">
        <span className="lt-FileDiff-legend">
          <span className="lt-mod-remove">- captured version</span>{' '}
          <span className="lt-mod-add">+ current notebook</span>
        </span>
        <button
          className="jp-Button lt-FileDiff-refresh"
          onClick={() => void state.refresh()}
        >
          Refresh
        </button>
      </div>
      {error && <ErrorText>{error}</ErrorText>}
      {text === null && !error && <Loading />}
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
    api: LabtrackAPI,
    readonly runId: string,
    readonly runName: string,
    readonly path: string
  ) {
    super();
    counter += 1;
    // Unique: the same run may be diffed with its notebook before and after a rename.
    this.id = `labtrack-file-diff-${counter}`;
    this.addClass('lt-RunPageWidget');
    this.title.label = `Diff: ${path.split('/').pop()} @ run ${runName}`;
    this.title.caption = `Run ${runName} (${runId}) against ${path} on disk`;
    this.title.closable = true;
    this._state = new FileDiffState(api, runId, path);
    this._state.changed.connect(() => this.update());
    void this._state.refresh();
  }

  dispose(): void {
    this._state.dispose();
    super.dispose();
  }

  /** A closed tab is done with: free it, so the next diff makes a fresh one. */
  protected onCloseRequest(msg: Message): void {
    super.onCloseRequest(msg);
    this.dispose();
  }

  protected render(): JSX.Element {
    return <FileDiff state={this._state} runName={this.runName} />;
  }

  private _state: FileDiffState;
}
