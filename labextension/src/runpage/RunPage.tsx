/**
 * The run page: overview (name, description and tags editable), params,
 * metrics with last/min/max, metric charts, datasets, logged models,
 * artifacts, captured notebook.
 * It only presents `RunPageState`. Every string from a run renders as text.
 */
import * as React from 'react';

import { formatNumber, toNumber } from '../common/format';
import type { MarkdownRenderer } from '../common/markdown';
import { ErrorText, LoadingOrError } from '../common/Status';
import type { RunCommand } from '../tokens';
import { Artifacts } from './Artifacts';
import { Datasets } from './Datasets';
import { LoggedModels } from './LoggedModels';
import { MetricChart } from './MetricChart';
import { NotebookCells } from './NotebookCells';
import { NotebookVersionActions } from './NotebookVersion';
import { Overview } from './Overview';
import type { IRange, RunPageState } from './state';

export interface IRunPageProps {
  state: RunPageState;
  onOpenRun: (runId: string) => void;
  renderMarkdown?: MarkdownRenderer | null;
  /** Runs the notebook version and reproduce commands. */
  runCommand?: RunCommand | null;
  /** Register a model folder of the run; no button without it. */
  onRegisterModel?: ((runId: string, path: string) => void) | null;
}

function KeyValues(props: { values: Record<string, string> }): JSX.Element {
  const entries = Object.entries(props.values).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  if (entries.length === 0) {
    return <p className="lt-RunPage-empty">None.</p>;
  }
  return (
    <table className="lt-Table lt-RunPage-params">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MetricsTable(props: {
  metrics: Record<string, string | number>;
  ranges: Readonly<Record<string, IRange>>;
}): JSX.Element {
  const { metrics, ranges } = props;
  const keys = Object.keys(metrics).sort();
  if (keys.length === 0) {
    return <p className="lt-RunPage-empty">None.</p>;
  }
  const cell = (v: number | undefined): string =>
    v === undefined ? '' : formatNumber(v);
  return (
    <table className="lt-Table lt-RunPage-metrics">
      <thead>
        <tr>
          <th>metric</th>
          <th>last</th>
          <th>min</th>
          <th>max</th>
        </tr>
      </thead>
      <tbody>
        {keys.map(k => (
          <tr key={k}>
            <th>{k}</th>
            <td>{formatNumber(toNumber(metrics[k]))}</td>
            <td>{cell(ranges[k]?.min)}</td>
            <td>{cell(ranges[k]?.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CapturedNotebook(props: { state: RunPageState }): JSX.Element {
  const { state } = props;
  const open = state.notebookOpen;
  return (
    <div className="lt-RunPage-notebook">
      <button className="jp-Button" onClick={() => state.toggleNotebook()}>
        {open ? 'Hide captured notebook' : 'Show captured notebook'}
      </button>
      {open && state.notebookError && (
        <ErrorText>{state.notebookError}</ErrorText>
      )}
      {open && state.notebook && <NotebookCells notebook={state.notebook} />}
    </div>
  );
}

export function RunPage(props: IRunPageProps): JSX.Element {
  const { state } = props;
  const { run, error } = state;
  if (!run) {
    return (
      <div className="lt-RunPage">
        <LoadingOrError error={error} />
      </div>
    );
  }
  const runId = run.info.run_id;
  const register = props.onRegisterModel;
  return (
    <div className="lt-RunPage">
      {error && <ErrorText>{error}</ErrorText>}
      <Overview
        run={run}
        experiment={state.experiment}
        childRuns={state.children}
        onUpdate={body => state.update(body)}
        onOpenRun={props.onOpenRun}
        renderMarkdown={props.renderMarkdown ?? null}
        runCommand={props.runCommand}
      />
      <section>
        <h3>Metric charts</h3>
        <MetricChart state={state.charts} startTime={run.info.start_time} />
      </section>
      <div className="lt-RunPage-columns">
        <section>
          <h3>Parameters</h3>
          <KeyValues values={run.data.params} />
        </section>
        <section>
          <h3>Metrics</h3>
          <MetricsTable metrics={run.data.metrics} ranges={state.ranges} />
        </section>
      </div>
      <section className="lt-RunPage-datasets">
        <h3>Datasets</h3>
        <Datasets inputs={run.inputs?.dataset_inputs ?? []} />
      </section>
      <section className="lt-RunPage-models">
        <h3>Logged models</h3>
        <LoggedModels
          models={run.logged_models ?? []}
          state={state}
          onRegister={register ? name => register(runId, name) : undefined}
        />
      </section>
      <section>
        <h3>Artifacts</h3>
        <Artifacts
          state={state.artifacts}
          onRegister={register ? path => register(runId, path) : undefined}
        />
      </section>
      <section>
        <h3>Notebook</h3>
        <NotebookVersionActions run={run} runCommand={props.runCommand} />
        <CapturedNotebook state={state} />
      </section>
    </div>
  );
}
