/**
 * The captured notebooks of two runs, diffed cell by cell (inputs and
 * outputs) by the server with nbdime; shown as its text, lines coloured.
 */
import * as React from 'react';

import type { IRunDetail } from '../api/types';
import { DiffText } from '../common/DiffText';
import { runName } from '../common/run';
import { ErrorText } from '../common/Status';
import type { CompareState } from './state';

export function NotebookDiff(props: {
  state: CompareState;
  runs: IRunDetail[];
}): JSX.Element {
  const { state, runs } = props;
  const [base, setBase] = React.useState(runs[0]?.info.run_id ?? '');
  const [other, setOther] = React.useState(runs[1]?.info.run_id ?? '');
  const { text, error, busy } = state.notebookDiff;
  const choose = (
    value: string,
    set: (v: string) => void,
    className: string
  ): JSX.Element => (
    <select
      className={className}
      value={value}
      onChange={e => {
        set(e.target.value);
        state.clearNotebookDiff();
      }}
    >
      {runs.map(r => (
        <option key={r.info.run_id} value={r.info.run_id}>
          {runName(r)}
        </option>
      ))}
    </select>
  );
  return (
    <section className="lt-NotebookDiff">
      <h3>Notebook versions</h3>
      <div className="lt-Compare-controls">
        <label>Base {choose(base, setBase, 'lt-NotebookDiff-base')}</label>
        <label>Other {choose(other, setOther, 'lt-NotebookDiff-other')}</label>
        <button
          className="jp-Button lt-NotebookDiff-run"
          disabled={busy || !base || !other}
          onClick={() => void state.diffNotebooks(base, other)}
        >
          Diff captured notebooks
        </button>
      </div>
      {error && <ErrorText>{error}</ErrorText>}
      {text !== null && (
        <DiffText text={text} same="The captured notebooks are the same." />
      )}
    </section>
  );
}
