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

const BUILTIN: Array<[string, string]> = [
  ['run_name', 'Name'],
  ['status', 'Status'],
  ['start_time', 'Started'],
  ['duration', 'Duration'],
  ['user_id', 'User']
];

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
 * The runs: name, status, start, duration, user and the chosen columns.
 * Every value is rendered as text. Header clicks sort on the server.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, columns, sort, selection } = props;
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
    return (
      <th
        key={column}
        scope="col"
        className={`lt-RunsTable-head ${kind ? `lt-mod-${kind}` : ''} ${sortable ? 'lt-mod-sortable' : ''}`}
        aria-sort={sortable ? direction : undefined}
        title={
          sortable ? `${column}: click to sort` : `${column} (not sortable)`
        }
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
            {BUILTIN.map(([column, label]) => header(column, label))}
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
                <td className="lt-RunsTable-status">
                  <StatusBadge status={run.status} />
                </td>
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
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
