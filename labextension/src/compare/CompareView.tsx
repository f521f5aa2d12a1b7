/**
 * The compare view: params, metrics and tags side by side (differences
 * highlighted, "Show diff only"), then plots chosen from tabs.
 */
import * as React from 'react';

import {
  compareRows,
  formatNumber,
  isNumeric,
  toNumber
} from '../runpage/logic';
import { ICompareReply, IRunDetail } from '../runpage/types';
import { ComparePlots } from './ComparePlots';
import { NotebookDiff } from './NotebookDiff';
import { runName } from './plots';

export interface ICompareActions {
  openRun: (runId: string) => void;
  canSelectRuns: () => boolean;
  selectRuns: (runIds: string[]) => void;
}

/** Tags that differ in every run and say nothing to compare. */
const HIDDEN_TAG =
  /^(labtrack\.(kernel|notebook|environment|note)\.|labtrack\.runName$|mlflow\.)/;

function cellText(kind: string, value: string | undefined): string {
  if (value === undefined) {
    return '';
  }
  return kind === 'metrics' ? formatNumber(toNumber(value)) : value;
}

function Section(props: {
  title: string;
  kind: 'params' | 'metrics' | 'tags';
  keys: string[];
  runs: IRunDetail[];
  diffOnly: boolean;
}): JSX.Element | null {
  const { kind, runs } = props;
  const rows = compareRows(
    props.keys,
    runs.map(r => r.data[kind] as Record<string, string | number>),
    props.diffOnly
  );
  return (
    <>
      <tr className="lt-Compare-section">
        <th colSpan={runs.length + 1}>
          {props.title} ({rows.length})
        </th>
      </tr>
      {rows.map(row => (
        <tr
          key={`${kind}.${row.key}`}
          className={row.differs ? 'lt-mod-differs' : undefined}
        >
          <th className="lt-Compare-key" title={row.key}>
            {row.key}
          </th>
          {row.values.map((v, i) => (
            <td key={i} title={v}>
              {cellText(kind, v)}
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function CompareView(props: {
  reply: ICompareReply | null;
  error: string | null;
  actions: ICompareActions;
}): JSX.Element {
  const { reply, error, actions } = props;
  const [diffOnly, setDiffOnly] = React.useState(false);
  if (!reply) {
    return (
      <div className="lt-Compare">
        {error ? (
          <div className="lt-RunPage-error">{error}</div>
        ) : (
          <div className="lt-Artifacts-loading">Loading…</div>
        )}
      </div>
    );
  }
  const { runs, keys } = reply;
  const tagKeys = keys.tags.filter(k => !HIDDEN_TAG.test(k));
  const numericParams = keys.params.filter(p =>
    isNumeric(runs.map(r => r.data.params[p]))
  );
  return (
    <div className="lt-Compare">
      {error && <div className="lt-RunPage-error">{error}</div>}
      <div className="lt-Compare-toolbar">
        <h2>Comparing {runs.length} runs</h2>
        <label className="lt-Compare-diffOnly">
          <input
            type="checkbox"
            checked={diffOnly}
            onChange={e => setDiffOnly(e.target.checked)}
          />
          Show diff only
        </label>
      </div>
      <div className="lt-Compare-tableWrap">
        <table className="lt-Table lt-Compare-table">
          <thead>
            <tr>
              <th>Run</th>
              {runs.map(r => (
                <th key={r.info.run_id}>
                  <a
                    href="#"
                    className="lt-RunLink"
                    title={r.info.run_id}
                    onClick={e => {
                      e.preventDefault();
                      actions.openRun(r.info.run_id);
                    }}
                  >
                    {runName(r)}
                  </a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Section
              title="Parameters"
              kind="params"
              keys={keys.params}
              runs={runs}
              diffOnly={diffOnly}
            />
            <Section
              title="Metrics"
              kind="metrics"
              keys={keys.metrics}
              runs={runs}
              diffOnly={diffOnly}
            />
            <Section
              title="Tags"
              kind="tags"
              keys={tagKeys}
              runs={runs}
              diffOnly={diffOnly}
            />
          </tbody>
        </table>
      </div>
      <ComparePlots
        runs={runs}
        params={keys.params}
        numericParams={numericParams}
        metrics={keys.metrics}
        actions={actions}
      />
      {runs.length >= 2 && <NotebookDiff runs={runs} />}
    </div>
  );
}
