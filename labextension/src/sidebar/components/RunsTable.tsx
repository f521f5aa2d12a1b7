import * as React from 'react';

import { type IRunRow, RunTags } from '../../api/types';
import { isSortable, splitColumn } from '../query';
import type { ISortKey } from '../types';
import {
  formatDuration,
  formatMetric,
  fullTime,
  relativeTime,
  runDuration
} from '../../common/format';

export interface IRunsTableProps {
  runs: readonly IRunRow[];
  /** Keyed columns after the built-in ones (`params.x`, `metrics.y`, `tags.z`). */
  columns: readonly string[];
  sort: ISortKey | null;
  selection: readonly string[];
  onSort: (column: string) => void;
  onSelect: (runIds: string[], selected: boolean) => void;
  /** Open a run's page; run names are links when given. */
  onOpen?: (runId: string) => void;
}

/** Built-in columns after the keyed ones: the metrics come right after the name. */
const TRAILING: Array<[string, string]> = [
  ['start_time', 'Started'],
  ['duration', 'Duration'],
  ['user_id', 'User']
];

/** How headers name the built-in columns in their tooltips. */
const BUILTIN_NAMES: Record<string, string> = {
  status: 'Status',
  run_name: 'Name',
  start_time: 'Started',
  duration: 'Duration',
  user_id: 'User'
};

/** Keyed columns in the order shown: metrics, then params, then tags. */
const KIND_ORDER: Record<string, number> = { metrics: 0, params: 1, tags: 2 };

function orderColumns(columns: readonly string[]): string[] {
  const rank = (c: string): number =>
    KIND_ORDER[splitColumn(c)?.kind ?? 'tags'] ?? 3;
  // A stable sort: within a kind, the order chosen is kept.
  return columns
    .map((c, i) => [c, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([c]) => c);
}

const KIND_LABEL: Record<string, string> = {
  params: 'param',
  metrics: 'metric',
  tags: 'tag'
};

/** The current time, ticking every second while a run runs, else each 30 s. */
function useNow(fast: boolean): number {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), fast ? 1000 : 30_000);
    return () => clearInterval(timer);
  }, [fast]);
  return now;
}

/** A run's status as a coloured badge. */
export function StatusBadge(props: { status: string }): JSX.Element {
  const status = props.status || 'UNKNOWN';
  return (
    <span
      className={`lt-StatusBadge lt-mod-${status.toLowerCase()}`}
      title={status}
    >
      {status.toLowerCase()}
    </span>
  );
}

/** A run's status as a small coloured mark (the table's narrow column). */
export function StatusDot(props: { status: string }): JSX.Element {
  const status = (props.status || 'UNKNOWN').toLowerCase();
  return (
    <span
      className={`lt-StatusDot lt-mod-${status}`}
      role="img"
      aria-label={status}
      title={status}
    />
  );
}

/** The models a run logged (artifact paths) and the registered models it feeds. */
export function runModels(run: IRunRow): {
  logged: string[];
  registered: string[];
} {
  let logged: string[] = [];
  try {
    const history = JSON.parse(run.tags?.[RunTags.loggedModels] ?? '[]');
    if (Array.isArray(history)) {
      logged = history.map(m => String(m?.artifact_path ?? '')).filter(Boolean);
    }
  } catch {
    logged = [];
  }
  const registered = (run.tags?.[RunTags.registeredModels] ?? '')
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  return { logged: [...new Set(logged)], registered };
}

/** A cube when the run logged a model; filled when a version is registered. */
function ModelMark(props: { run: IRunRow }): JSX.Element | null {
  const { logged, registered } = runModels(props.run);
  if (logged.length === 0 && registered.length === 0) {
    return null;
  }
  const title = [
    logged.length ? `Model logged: ${logged.join(', ')}` : '',
    registered.length ? `Registered as ${registered.join(', ')}` : ''
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <span
      className={`lt-ModelMark ${registered.length ? 'lt-mod-registered' : ''}`}
      role="img"
      aria-label={title}
      title={title}
    >
      <CubeIcon />
    </span>
  );
}

function CubeIcon(): JSX.Element {
  return (
    <svg
      className="lt-CubeIcon"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
    >
      <path d="M8 1.5 14 4.5v7L8 14.5 2 11.5v-7z M2 4.5 8 7.5l6-3 M8 7.5v7" />
    </svg>
  );
}

function cellValue(run: IRunRow, column: string): string {
  const keyed = splitColumn(column);
  if (!keyed) {
    return '';
  }
  const value = run[keyed.kind]?.[keyed.key];
  return keyed.kind === 'metrics'
    ? formatMetric(value)
    : value === undefined
      ? ''
      : String(value);
}

/**
 * The runs: status, name, model, the chosen columns (metrics first), then
 * start, duration and user. Every value is rendered as text. Header clicks
 * sort on the server.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, sort, selection } = props;
  const columns = orderColumns(props.columns);
  const now = useNow(runs.some(r => r.status === 'RUNNING'));
  const ids = runs.map(r => r.run_id);
  const selectedHere = ids.filter(id => selection.includes(id));
  const all = ids.length > 0 && selectedHere.length === ids.length;
  const some = selectedHere.length > 0 && !all;

  const header = (column: string, label: React.ReactNode, kind?: string) => {
    const sortable = isSortable(column);
    const direction =
      sort?.column === column
        ? sort.ascending
          ? 'ascending'
          : 'descending'
        : 'none';
    const full = splitColumn(column)?.key ?? BUILTIN_NAMES[column] ?? column;
    return (
      <th
        key={column}
        scope="col"
        className={`lt-RunsTable-head ${kind ? `lt-mod-${kind}` : ''} ${sortable ? 'lt-mod-sortable' : ''}`}
        aria-sort={sortable ? direction : undefined}
        title={sortable ? `${full}: click to sort` : `${full} (not sortable)`}
        data-column={column}
      >
        {sortable ? (
          <button
            type="button"
            className="lt-RunsTable-sort"
            onClick={() => props.onSort(column)}
          >
            {label}
            <span className="lt-RunsTable-sortMark" aria-hidden="true">
              {direction === 'ascending'
                ? '▲'
                : direction === 'descending'
                  ? '▼'
                  : ''}
            </span>
          </button>
        ) : (
          label
        )}
      </th>
    );
  };

  return (
    <div className="lt-RunsTable-scroll">
      <table className="lt-RunsTable">
        <thead>
          <tr>
            <th scope="col" className="lt-RunsTable-select">
              <input
                type="checkbox"
                aria-label="Select all runs shown"
                checked={all}
                ref={el => {
                  if (el) {
                    el.indeterminate = some;
                  }
                }}
                onChange={event => props.onSelect(ids, event.target.checked)}
              />
            </th>
            {header(
              'status',
              <span className="lt-RunsTable-statusHead" aria-label="Status">
                ●
              </span>
            )}
            {header('run_name', 'Name')}
            <th
              scope="col"
              className="lt-RunsTable-model"
              title="Model: logged (outline) or registered (filled)"
              aria-label="Model"
            >
              <CubeIcon />
            </th>
            {columns.map(column => {
              const keyed = splitColumn(column);
              return header(
                column,
                <span className="lt-RunsTable-keyed">
                  <span className="lt-RunsTable-kind">
                    {KIND_LABEL[keyed?.kind ?? '']}
                  </span>
                  <span className="lt-RunsTable-key">{keyed?.key}</span>
                </span>,
                keyed?.kind
              );
            })}
            {TRAILING.map(([column, label]) => header(column, label))}
          </tr>
        </thead>
        <tbody>
          {runs.map(run => {
            const selected = selection.includes(run.run_id);
            const duration = runDuration(
              run.start_time,
              run.end_time,
              run.status === 'RUNNING',
              now
            );
            const user = run.user_id || run.tags?.[RunTags.user] || '';
            return (
              <tr
                key={run.run_id}
                className={`lt-RunsTable-row ${selected ? 'lt-mod-selected' : ''}`}
                data-run-id={run.run_id}
                aria-selected={selected}
              >
                <td className="lt-RunsTable-select">
                  <input
                    type="checkbox"
                    aria-label={`Select run ${run.run_name || run.run_id}`}
                    checked={selected}
                    onChange={event =>
                      props.onSelect([run.run_id], event.target.checked)
                    }
                  />
                </td>
                <td className="lt-RunsTable-status">
                  <StatusDot status={run.status} />
                </td>
                <td
                  className="lt-RunsTable-name"
                  title={`Run id ${run.run_id}`}
                >
                  {props.onOpen ? (
                    <button
                      type="button"
                      className="lt-RunsTable-open"
                      title={`Open run ${run.run_id}`}
                      onClick={() => props.onOpen?.(run.run_id)}
                    >
                      {run.run_name || run.run_id}
                    </button>
                  ) : (
                    run.run_name || run.run_id
                  )}
                </td>
                <td className="lt-RunsTable-model">
                  <ModelMark run={run} />
                </td>
                {columns.map(column => {
                  const value = cellValue(run, column);
                  return (
                    <td
                      key={column}
                      className={`lt-RunsTable-value lt-mod-${splitColumn(column)?.kind}`}
                      data-column={column}
                      title={value}
                    >
                      {value}
                    </td>
                  );
                })}
                <td
                  className="lt-RunsTable-started"
                  title={fullTime(run.start_time)}
                >
                  {relativeTime(run.start_time, now)}
                </td>
                <td className="lt-RunsTable-duration">
                  {formatDuration(duration)}
                </td>
                <td className="lt-RunsTable-user" title={user}>
                  {user}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
