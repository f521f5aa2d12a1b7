/**
 * The head of a run page: name, "Reproduce run", the run's attributes,
 * parent and child runs, description and tags (name, description and tags
 * editable). Every string from a run renders as text.
 */
import * as React from 'react';

import type { IRunUpdate } from '../api/runs';
import {
  type IExperiment,
  type IRunDetail,
  type IRunRow,
  RunTags
} from '../api/types';
import { ActionLink } from '../common/ActionLink';
import { Description } from '../common/Description';
import { EditableText } from '../common/EditableText';
import { errorMessage } from '../common/errors';
import { formatDuration, fullTime, runDuration } from '../common/format';
import { InfoTable } from '../common/InfoTable';
import type { MarkdownRenderer } from '../common/markdown';
import { runName } from '../common/run';
import { CommandIDs, type RunCommand } from '../tokens';

/** Saves a change of the run; rejects with the server's refusal. */
export type UpdateRun = (body: IRunUpdate) => Promise<void>;

function Tags(props: { run: IRunDetail; onUpdate: UpdateRun }): JSX.Element {
  const { run } = props;
  const [key, setKey] = React.useState('');
  const [value, setValue] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const call = (body: IRunUpdate): void => {
    props
      .onUpdate(body)
      .then(() => setError(null))
      .catch(reason => setError(errorMessage(reason)));
  };
  const userTags = Object.entries(run.data.tags)
    .filter(([k]) => !k.startsWith('labtrack.') && !k.startsWith('mlflow.'))
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="lt-Tags">
      {userTags.map(([k, v]) => (
        <span key={k} className="lt-Tag">
          <span className="lt-Tag-key">{k}</span>
          <span className="lt-Tag-value">{v}</span>
          <button
            className="lt-Tag-remove"
            title={`Delete tag ${k}`}
            onClick={() => call({ delete_tags: [k] })}
          >
            ×
          </button>
        </span>
      ))}
      <form
        className="lt-Tags-add"
        onSubmit={e => {
          e.preventDefault();
          if (key.trim()) {
            call({ tags: { [key.trim()]: value } });
            setKey('');
            setValue('');
          }
        }}
      >
        <input
          className="lt-Tags-key"
          placeholder="tag"
          value={key}
          onChange={e => setKey(e.target.value)}
        />
        <input
          className="lt-Tags-value"
          placeholder="value"
          value={value}
          onChange={e => setValue(e.target.value)}
        />
        <button type="submit" className="jp-Button">
          Add
        </button>
      </form>
      {error && <span className="lt-RunPage-error">{error}</span>}
    </div>
  );
}

/** Links to the run's child runs (nested runs). */
function ChildRuns(props: {
  runs: ReadonlyArray<Pick<IRunRow, 'run_id' | 'run_name'>>;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  return (
    <span className="lt-RunPage-children">
      {props.runs.map((c, i) => (
        <React.Fragment key={c.run_id}>
          {i > 0 && ', '}
          <ActionLink
            target={c.run_id}
            title={c.run_id}
            onOpen={props.onOpenRun}
          >
            {c.run_name || c.run_id.slice(0, 8)}
          </ActionLink>
        </React.Fragment>
      ))}
    </span>
  );
}

/**
 * The run's experiment by name: a link that shows its runs in the
 * Experiment sidebar (a command of the sidebar plugin, asked when clicked).
 */
function ExperimentLink(props: {
  experimentId: string;
  name: string | null;
  runCommand: RunCommand | null | undefined;
}): JSX.Element {
  const { experimentId, runCommand } = props;
  const label = props.name ?? `experiment ${experimentId}`;
  if (!runCommand) {
    return <span>{label}</span>;
  }
  return (
    <ActionLink
      target={experimentId}
      className="lt-RunPage-experiment"
      title={`Show the runs of ${label} in the Experiment sidebar`}
      onOpen={id =>
        void runCommand(CommandIDs.openExperiment, {
          experimentId: id
        }).catch(reason =>
          console.error('labtrack: cannot open the experiment', reason)
        )
      }
    >
      {label}
    </ActionLink>
  );
}

/** "Reproduce run", for a run with a captured notebook version. */
function ReproduceButton(props: {
  run: IRunDetail;
  runCommand: RunCommand | null | undefined;
}): JSX.Element | null {
  const { run, runCommand } = props;
  if (!runCommand || !run.data.tags[RunTags.notebookRevision]) {
    return null;
  }
  const args = { runId: run.info.run_id, runName: runName(run) };
  return (
    <button
      className="jp-Button lt-Reproduce-button"
      title="Execute this run's notebook version again in a fresh kernel, with params you may change"
      onClick={() =>
        void runCommand(CommandIDs.reproduceRun, args).catch(reason =>
          console.error('labtrack: cannot reproduce the run', reason)
        )
      }
    >
      Reproduce run
    </button>
  );
}

export interface IOverviewProps {
  run: IRunDetail;
  /** The run's experiment, once fetched: its name links back to it. */
  experiment?: IExperiment | null;
  childRuns: ReadonlyArray<Pick<IRunRow, 'run_id' | 'run_name'>>;
  onUpdate: UpdateRun;
  onOpenRun: (runId: string) => void;
  renderMarkdown: MarkdownRenderer | null;
  runCommand: RunCommand | null | undefined;
}

export function Overview(props: IOverviewProps): JSX.Element {
  const { run, onUpdate, onOpenRun } = props;
  const { info, data } = run;
  const parent = data.tags[RunTags.parentRunId];
  const rows: [string, React.ReactNode][] = [
    ['Run ID', <code key="id">{info.run_id}</code>],
    [
      'Experiment',
      <ExperimentLink
        key="e"
        experimentId={info.experiment_id}
        name={props.experiment?.name ?? null}
        runCommand={props.runCommand}
      />
    ],
    [
      'Status',
      <span key="s" className={`lt-Status lt-mod-${info.status.toLowerCase()}`}>
        {info.status.toLowerCase()}
      </span>
    ],
    ['Start', fullTime(info.start_time)],
    ['End', fullTime(info.end_time)],
    [
      'Duration',
      formatDuration(
        runDuration(
          info.start_time,
          info.end_time,
          info.status === 'RUNNING',
          Date.now()
        )
      )
    ],
    ['User', data.tags[RunTags.user] ?? info.user_id],
    ['Source notebook', data.tags[RunTags.sourceName] ?? ''],
    [
      'Parent run',
      parent ? (
        <ActionLink key="p" target={parent} onOpen={onOpenRun}>
          {parent}
        </ActionLink>
      ) : (
        ''
      )
    ],
    [
      'Child runs',
      <ChildRuns key="c" runs={props.childRuns} onOpenRun={onOpenRun} />
    ]
  ];
  return (
    <section className="lt-RunPage-overview">
      <h2 className="lt-RunPage-title">
        <EditableText
          className="lt-RunPage-name"
          value={info.run_name}
          placeholder="(unnamed run)"
          onSave={name => onUpdate({ name })}
        />
      </h2>
      <ReproduceButton run={run} runCommand={props.runCommand} />
      <InfoTable rows={rows} />
      <Description
        value={data.tags[RunTags.note] ?? ''}
        onSave={description => onUpdate({ description })}
        renderMarkdown={props.renderMarkdown}
      />
      <h3>Tags</h3>
      <Tags run={run} onUpdate={onUpdate} />
    </section>
  );
}
