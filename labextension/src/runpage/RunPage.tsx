/**
 * The run page: overview (name, description and tags editable), params,
 * metrics with last/min/max, metric chart, artifacts, captured notebook.
 * Every string from a run renders as text.
 */
import * as React from 'react';

import { formatDuration, fullTime, runDuration } from '../components/format';
import { ReproduceButton } from '../reproduce/ReproduceButton';
import { Artifacts, NotebookCells } from './Artifacts';
import { childRuns, getNotebook, getSeries, patchRun } from './api';
import { formatNumber, summarize, toNumber } from './logic';
import { MetricChart } from './MetricChart';
import { NotebookVersionActions, RunCommand } from './NotebookVersion';
import { INotebookJSON, IRunDetail } from './types';

export const NOTE_TAG = 'labtrack.note.content';
const PARENT_TAG = 'labtrack.parentRunId';
const SOURCE_TAG = 'labtrack.source.name';
const USER_TAG = 'labtrack.user';

/**
 * Render Markdown into `host`; returns a function that frees the renderer.
 * The plugin makes one from JupyterLab's rendermime (untrusted: sanitized).
 */
export type MarkdownRenderer = (
  host: HTMLElement,
  text: string
) => Promise<() => void>;

export interface IRunPageProps {
  run: IRunDetail | null;
  error: string | null;
  /** Increments on every refresh: charts refetch. */
  tick: number;
  onChanged: (run: IRunDetail) => void;
  onOpenRun: (runId: string) => void;
  renderMarkdown?: MarkdownRenderer | null;
  /** Runs the notebook version commands (open, diff, restore). */
  runCommand?: RunCommand | null;
  /** Register a model folder of the run; no button without it. */
  onRegisterModel?: ((runId: string, path: string) => void) | null;
}

/** Markdown rendered by JupyterLab (sanitized), or plain text without a renderer. */
function Markdown(props: {
  text: string;
  render: MarkdownRenderer | null | undefined;
  className: string;
}): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const { text, render } = props;
  React.useEffect(() => {
    let free: (() => void) | null = null;
    let cancelled = false;
    if (render && host.current) {
      void render(host.current, text).then(f => {
        if (cancelled) {
          f();
        } else {
          free = f;
        }
      });
    }
    return () => {
      cancelled = true;
      free?.();
    };
  }, [text, render]);
  return render ? (
    <div ref={host} className={props.className} />
  ) : (
    <span className={props.className}>{text}</span>
  );
}

/** A text that becomes an input on click; Enter or blur saves. */
function EditableText(props: {
  value: string;
  multiline?: boolean;
  placeholder: string;
  className: string;
  onSave: (value: string) => Promise<void>;
  /** Show the value as Markdown when not editing. */
  renderMarkdown?: MarkdownRenderer | null;
}): JSX.Element {
  const [editing, setEditing] = React.useState(false);
  const [draft, setDraft] = React.useState(props.value);
  const [error, setError] = React.useState<string | null>(null);
  const save = (): void => {
    setEditing(false);
    if (draft !== props.value) {
      props
        .onSave(draft)
        .then(() => setError(null))
        .catch(reason => setError(String(reason.message ?? reason)));
    }
  };
  if (!editing) {
    return (
      <span className={props.className}>
        <span
          className={`${props.className}-text${props.value ? '' : ' lt-mod-placeholder'}`}
          title="Click to edit"
          onClick={e => {
            // A link in the rendered Markdown is followed, not edited.
            if ((e.target as HTMLElement).closest('a')) {
              return;
            }
            setDraft(props.value);
            setEditing(true);
          }}
        >
          {props.value && props.renderMarkdown !== undefined ? (
            <Markdown
              text={props.value}
              render={props.renderMarkdown}
              className="lt-RunPage-markdown"
            />
          ) : (
            props.value || props.placeholder
          )}
        </span>
        {error && <span className="lt-RunPage-error">{error}</span>}
      </span>
    );
  }
  const common = {
    className: `${props.className}-input`,
    value: draft,
    autoFocus: true,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      setDraft(e.target.value),
    onBlur: save,
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === 'Escape') {
        setEditing(false);
      } else if (e.key === 'Enter' && (!props.multiline || e.ctrlKey)) {
        save();
      }
    }
  };
  return props.multiline ? (
    <textarea rows={4} {...common} />
  ) : (
    <input {...common} />
  );
}

/** A two-column table of labels and values. */
export function InfoTable(props: {
  rows: [string, React.ReactNode][];
}): JSX.Element {
  return (
    <table className="lt-Table lt-RunPage-info">
      <tbody>
        {props.rows.map(([label, value]) => (
          <tr key={label}>
            <th>{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The editable Markdown description of a run or a registered model. */
export function Description(props: {
  value: string;
  onSave: (value: string) => Promise<void>;
  renderMarkdown: MarkdownRenderer | null;
}): JSX.Element {
  return (
    <>
      <h3>Description</h3>
      <EditableText
        className="lt-RunPage-description"
        multiline
        value={props.value}
        placeholder="Add a description (click to edit; Ctrl+Enter saves)"
        onSave={props.onSave}
        renderMarkdown={props.renderMarkdown}
      />
    </>
  );
}

function Tags(props: {
  run: IRunDetail;
  onChanged: (run: IRunDetail) => void;
}): JSX.Element {
  const { run } = props;
  const [key, setKey] = React.useState('');
  const [value, setValue] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const call = (body: Parameters<typeof patchRun>[1]): void => {
    patchRun(run.info.run_id, body)
      .then(r => {
        setError(null);
        props.onChanged(r);
      })
      .catch(reason => setError(String(reason.message ?? reason)));
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

/** Links to the run's child runs (nested runs), fetched once per run. */
function ChildRuns(props: {
  run: IRunDetail;
  onOpenRun: (runId: string) => void;
}): JSX.Element {
  const { run_id, experiment_id } = props.run.info;
  const [children, setChildren] = React.useState<
    { run_id: string; run_name: string }[]
  >([]);
  React.useEffect(() => {
    childRuns(experiment_id, run_id)
      .then(setChildren)
      .catch(() => setChildren([]));
  }, [run_id, experiment_id]);
  return (
    <span className="lt-RunPage-children">
      {children.map((c, i) => (
        <React.Fragment key={c.run_id}>
          {i > 0 && ', '}
          <a
            href="#"
            className="lt-RunLink"
            title={c.run_id}
            onClick={e => {
              e.preventDefault();
              props.onOpenRun(c.run_id);
            }}
          >
            {c.run_name || c.run_id.slice(0, 8)}
          </a>
        </React.Fragment>
      ))}
    </span>
  );
}

function Overview(props: IRunPageProps & { run: IRunDetail }): JSX.Element {
  const { run, onChanged, onOpenRun } = props;
  const { info, data } = run;
  const id = info.run_id;
  const parent = data.tags[PARENT_TAG];
  const rows: [string, React.ReactNode][] = [
    ['Run ID', <code key="id">{id}</code>],
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
    ['User', data.tags[USER_TAG] ?? info.user_id],
    ['Source notebook', data.tags[SOURCE_TAG] ?? ''],
    [
      'Parent run',
      parent ? (
        <a
          key="p"
          className="lt-RunLink"
          href="#"
          onClick={e => {
            e.preventDefault();
            onOpenRun(parent);
          }}
        >
          {parent}
        </a>
      ) : (
        ''
      )
    ],
    ['Child runs', <ChildRuns key="c" run={run} onOpenRun={onOpenRun} />]
  ];
  return (
    <section className="lt-RunPage-overview">
      <h2 className="lt-RunPage-title">
        <EditableText
          className="lt-RunPage-name"
          value={info.run_name}
          placeholder="(unnamed run)"
          onSave={name => patchRun(id, { name }).then(onChanged)}
        />
      </h2>
      <ReproduceButton run={run} onOpenRun={onOpenRun} />
      <InfoTable rows={rows} />
      <Description
        value={data.tags[NOTE_TAG] ?? ''}
        onSave={description => patchRun(id, { description }).then(onChanged)}
        renderMarkdown={props.renderMarkdown ?? null}
      />
      <h3>Tags</h3>
      <Tags run={run} onChanged={onChanged} />
    </section>
  );
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

function MetricsTable(props: { run: IRunDetail; tick: number }): JSX.Element {
  const { run, tick } = props;
  const keys = Object.keys(run.data.metrics).sort();
  const [ranges, setRanges] = React.useState<
    Record<string, { min: number; max: number }>
  >({});
  React.useEffect(() => {
    let cancelled = false;
    Promise.all(
      keys
        .slice(0, 100)
        .map(key =>
          getSeries(run.info.run_id, key, 200).then(
            reply => [key, summarize(reply.points)] as const
          )
        )
    )
      .then(result => {
        if (!cancelled) {
          setRanges(Object.fromEntries(result));
        }
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [run.info.run_id, keys.join('\u0000'), tick]);
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
            <td>{formatNumber(toNumber(run.data.metrics[k]))}</td>
            <td>{cell(ranges[k]?.min)}</td>
            <td>{cell(ranges[k]?.max)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CapturedNotebook(props: { runId: string }): JSX.Element {
  const [notebook, setNotebook] = React.useState<INotebookJSON | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [open, setOpen] = React.useState(false);
  React.useEffect(() => {
    if (open && !notebook) {
      getNotebook(props.runId)
        .then(setNotebook)
        .catch(reason => setError(String(reason.message ?? reason)));
    }
  }, [open, props.runId]);
  return (
    <div className="lt-RunPage-notebook">
      <button className="jp-Button" onClick={() => setOpen(o => !o)}>
        {open ? 'Hide captured notebook' : 'Show captured notebook'}
      </button>
      {open && error && <div className="lt-RunPage-error">{error}</div>}
      {open && notebook && <NotebookCells notebook={notebook} />}
    </div>
  );
}

export function RunPage(props: IRunPageProps): JSX.Element {
  const { run, error, tick } = props;
  if (!run) {
    return (
      <div className="lt-RunPage">
        {error ? (
          <div className="lt-RunPage-error">{error}</div>
        ) : (
          <div className="lt-Artifacts-loading">Loading…</div>
        )}
      </div>
    );
  }
  const metricKeys = Object.keys(run.data.metrics).sort();
  return (
    <div className="lt-RunPage">
      {error && <div className="lt-RunPage-error">{error}</div>}
      <Overview {...props} run={run} />
      <section>
        <h3>Metric charts</h3>
        <MetricChart
          runId={run.info.run_id}
          metricKeys={metricKeys}
          startTime={run.info.start_time}
          tick={tick}
        />
      </section>
      <div className="lt-RunPage-columns">
        <section>
          <h3>Parameters</h3>
          <KeyValues values={run.data.params} />
        </section>
        <section>
          <h3>Metrics</h3>
          <MetricsTable run={run} tick={tick} />
        </section>
      </div>
      <section>
        <h3>Artifacts</h3>
        <Artifacts
          runId={run.info.run_id}
          onRegister={
            props.onRegisterModel
              ? path => props.onRegisterModel?.(run.info.run_id, path)
              : undefined
          }
        />
      </section>
      <section>
        <h3>Notebook</h3>
        <NotebookVersionActions run={run} runCommand={props.runCommand} />
        <CapturedNotebook runId={run.info.run_id} />
      </section>
    </div>
  );
}
