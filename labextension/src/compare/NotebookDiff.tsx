/**
 * The captured notebooks of two runs, diffed cell by cell (inputs and
 * outputs) by the server with nbdime; shown as its text, lines coloured.
 */
import * as React from 'react';

import { notebookDiff } from '../runpage/api';
import { IRunDetail } from '../runpage/types';
import { runName } from './plots';

/** The CSS modifier of one line of nbdime's text diff. */
export function diffLineKind(line: string): 'add' | 'remove' | 'header' | '' {
  if (/^(\+\+\+|---)/.test(line)) {
    return 'header';
  }
  if (line.startsWith('+')) {
    return 'add';
  }
  if (line.startsWith('-')) {
    return 'remove';
  }
  if (/^##|^@@/.test(line)) {
    return 'header';
  }
  return '';
}

/** nbdime's text diff, one coloured line per line; `same` when there is none. */
export function DiffText(props: { text: string; same: string }): JSX.Element {
  const { text } = props;
  return (
    <pre className="lt-NotebookDiff-text">
      {text === ''
        ? props.same
        : text.split('\n').map((line, i) => (
            <div key={i} className={`lt-mod-${diffLineKind(line) || 'same'}`}>
              {line || ' '}
            </div>
          ))}
    </pre>
  );
}

export function NotebookDiff(props: { runs: IRunDetail[] }): JSX.Element {
  const { runs } = props;
  const [base, setBase] = React.useState(runs[0]?.info.run_id ?? '');
  const [other, setOther] = React.useState(runs[1]?.info.run_id ?? '');
  const [text, setText] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
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
        setText(null);
      }}
    >
      {runs.map(r => (
        <option key={r.info.run_id} value={r.info.run_id}>
          {runName(r)}
        </option>
      ))}
    </select>
  );
  const run = (): void => {
    setBusy(true);
    setError(null);
    notebookDiff(base, other)
      .then(reply => setText(reply.text))
      .catch(reason => setError(String(reason.message ?? reason)))
      .finally(() => setBusy(false));
  };
  return (
    <section className="lt-NotebookDiff">
      <h3>Notebook versions</h3>
      <div className="lt-Compare-controls">
        <label>Base {choose(base, setBase, 'lt-NotebookDiff-base')}</label>
        <label>Other {choose(other, setOther, 'lt-NotebookDiff-other')}</label>
        <button
          className="jp-Button lt-NotebookDiff-run"
          disabled={busy || !base || !other}
          onClick={run}
        >
          Diff captured notebooks
        </button>
      </div>
      {error && <div className="lt-RunPage-error">{error}</div>}
      {text !== null && (
        <DiffText text={text} same="The captured notebooks are the same." />
      )}
    </section>
  );
}
