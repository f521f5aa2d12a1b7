/**
 * The compare view: params, metrics and tags side by side (differences
 * highlighted, "Show diff only"), then plots chosen from tabs.
 */
import * as React from 'react';

import { type IRunDetail, RunTags } from '../api/types';
import { isNumeric } from '../charts/axes';
import { ActionLink } from '../common/ActionLink';
import { formatNumber, toNumber } from '../common/format';
import { runName } from '../common/run';
import { ErrorText, LoadingOrError } from '../common/Status';
import { ComparePlots } from './ComparePlots';
import { compareRows } from './logic';
import { NotebookDiff } from './NotebookDiff';
import type { CompareState } from './state';

export interface ICompareActions {
  openRun: (runId: string) => void;
  canSelectRuns: () => boolean;
  selectRuns: (runIds: string[]) => void;
}

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
  state: CompareState;
  actions: ICompareActions;
}): JSX.Element {
  const { state, actions } = props;
  const { reply, error } = state;
  const [diffOnly, setDiffOnly] = React.useState(false);
  if (!reply) {
    return (
      <div className="lt-Compare">
        <LoadingOrError error={error} />
      </div>
    );
  }
  const { runs, keys } = reply;
  const tagKeys = state.showSystemTags
    ? keys.tags
    : keys.tags.filter(k => !RunTags.isSystem(k));
  const hiddenTags = keys.tags.length - tagKeys.length;
  // Numeric params, those that differ between the runs first (contour axes).
  const varies = (p: string): boolean =>
    new Set(runs.map(r => r.data.params[p]).filter(v => v !== undefined)).size >
    1;
  const numericParams = keys.params
    .filter(p => isNumeric(runs.map(r => r.data.params[p])))
    .sort((a, b) => Number(varies(b)) - Number(varies(a)));
  return (
    <div className="lt-Compare">
      {error && <ErrorText>{error}</ErrorText>}
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
        <label
          className="lt-Compare-systemTags"
          title="Tags labtrack and MLflow write (names, sources, model history)"
        >
          <input
            type="checkbox"
            checked={state.showSystemTags}
            onChange={e => state.setShowSystemTags(e.target.checked)}
          />
          Show system tags
          {!state.showSystemTags && hiddenTags > 0 ? ` (${hiddenTags})` : ''}
        </label>
      </div>
      <div className="lt-Compare-tableWrap">
        <table className="lt-Table lt-Compare-table">
          <thead>
            <tr>
              <th>Run</th>
              {runs.map(r => (
                <th key={r.info.run_id}>
                  <ActionLink
                    target={r.info.run_id}
                    title={r.info.run_id}
                    onOpen={actions.openRun}
                  >
                    {runName(r)}
                  </ActionLink>
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
        state={state}
        runs={runs}
        params={keys.params}
        numericParams={numericParams}
        metrics={keys.metrics}
        actions={actions}
      />
      {runs.length >= 2 && <NotebookDiff state={state} runs={runs} />}
    </div>
  );
}
