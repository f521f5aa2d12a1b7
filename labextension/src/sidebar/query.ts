/**
 * Pure functions that turn what the user asked of the runs table into the
 * query strings of `GET runs`, `GET runs.csv` and the filter language.
 */
import {
  type ColumnKind,
  type IExperiment,
  type IRunKeys,
  RunTags
} from '../api/types';
import type { IRunQuery, ISortKey, StartedWithin } from './types';

/** The query of a fresh table: every run, newest first. */
export const EMPTY_QUERY: IRunQuery = {
  filter: '',
  statuses: [],
  startedWithin: 'all',
  hasModel: false,
  hasRegisteredModel: false,
  sort: null
};

/** Statuses offered by the status quick filter. */
export const RUN_STATUSES = [
  'RUNNING',
  'FINISHED',
  'FAILED',
  'KILLED',
  'SCHEDULED'
] as const;

/** Milliseconds in each start-time window. */
export const STARTED_WITHIN_MS: Record<StartedWithin, number> = {
  all: 0,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000
};

/** Tags every query asks for: the sidebar needs them whatever is shown. */
export const ALWAYS_COLUMNS = [`tags.${RunTags.kernelId}`];

const ATTRIBUTE_OF: Record<string, string | null> = {
  run_name: 'attributes.run_name',
  status: 'attributes.status',
  start_time: 'attributes.start_time',
  user_id: 'attributes.user_id',
  // The server orders by stored attributes; a duration is computed.
  duration: null
};

const BARE_KEY = /^[^\s'"`=!<>(),]+$/;

/**
 * A key as the filter language writes it: bare when it can be, else
 * back-quoted with inner back-quotes doubled.
 *
 *     quoteKey('model.depth') === 'model.depth'
 *     quoteKey('my key') === '`my key`'
 */
export function quoteKey(key: string): string {
  return BARE_KEY.test(key) ? key : '`' + key.replace(/`/g, '``') + '`';
}

/** A string literal of the filter language: `'it''s'`. */
export function quoteString(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}

/** Split `params.alpha` into its kind and key; null for a builtin column. */
export function splitColumn(
  column: string
): { kind: ColumnKind; key: string } | null {
  const match = /^(params|metrics|tags)\.(.+)$/s.exec(column);
  return match ? { kind: match[1] as ColumnKind, key: match[2] } : null;
}

/** Whether the server can order by this column. */
export function isSortable(column: string): boolean {
  return splitColumn(column) !== null || Boolean(ATTRIBUTE_OF[column]);
}

/** The order-by clauses for a sort; newest first breaks ties. */
export function orderByClauses(sort: ISortKey | null): string[] {
  if (sort === null) {
    return [];
  }
  const keyed = splitColumn(sort.column);
  const column = keyed
    ? `${keyed.kind}.${quoteKey(keyed.key)}`
    : ATTRIBUTE_OF[sort.column];
  if (!column) {
    return [];
  }
  const clauses = [`${column} ${sort.ascending ? 'ASC' : 'DESC'}`];
  if (sort.column !== 'start_time') {
    clauses.push('attributes.start_time DESC');
  }
  return clauses;
}

/** Everything `GET runs` takes besides the query the user built. */
export interface IRunsRequest {
  experimentIds: string[];
  query: IRunQuery;
  /** Keyed columns to fetch (`params.x`, ...); ALWAYS_COLUMNS are added. */
  columns: string[];
  maxResults?: number;
  pageToken?: string | null;
  /** `active` unless asked otherwise. */
  view?: 'active' | 'deleted' | 'all';
  /** The clock, for the start-time window (tests pass their own). */
  now?: number;
}

/**
 * The query string of `GET runs` (and `GET runs.csv`) for a request.
 *
 *     runsQueryString({experimentIds: ['1'], query: EMPTY_QUERY, columns: []})
 *     // 'experiment_id=1&columns=tags.labtrack.kernel.id'
 */
export function runsQueryString(request: IRunsRequest): string {
  const { query } = request;
  const params = new URLSearchParams();
  params.set('experiment_id', request.experimentIds.join(','));
  if (query.filter.trim()) {
    params.set('filter', query.filter.trim());
  }
  const orderBy = orderByClauses(query.sort);
  if (orderBy.length > 0) {
    params.set('order_by', orderBy.join(','));
  }
  if (request.maxResults !== undefined) {
    params.set('max_results', String(request.maxResults));
  }
  if (request.pageToken) {
    params.set('page_token', request.pageToken);
  }
  const columns = [...new Set([...request.columns, ...ALWAYS_COLUMNS])];
  params.set('columns', columns.join(','));
  if (request.view && request.view !== 'active') {
    params.set('view', request.view);
  }
  if (query.statuses.length > 0) {
    params.set('status', query.statuses.join(','));
  }
  const window = STARTED_WITHIN_MS[query.startedWithin];
  if (window > 0) {
    params.set('started_after', String((request.now ?? Date.now()) - window));
  }
  if (query.hasModel) {
    params.set('has_model', 'true');
  }
  if (query.hasRegisteredModel) {
    params.set('has_registered_model', 'true');
  }
  return params.toString();
}

/** How many keys a `kind.*` entry of `defaultColumns` shows at most. */
export const MAX_GLOB_COLUMNS = 10;

/**
 * The columns `defaultColumns` names for an experiment with these keys:
 * exact entries (`metrics.rmse`) when the experiment has them, and for
 * `metrics.*` / `params.*` / `tags.*` the first keys of that kind
 * (system tags `labtrack.*` and `mlflow.*` left out).
 */
export function resolveDefaultColumns(
  defaults: readonly string[],
  keys: IRunKeys | null
): string[] {
  const out: string[] = [];
  const add = (column: string): void => {
    if (!out.includes(column)) {
      out.push(column);
    }
  };
  for (const entry of defaults) {
    const glob = /^(params|metrics|tags)\.\*$/.exec(entry);
    if (glob) {
      const kind = glob[1] as ColumnKind;
      (keys?.[kind] ?? [])
        .filter(key => !(kind === 'tags' && /^(labtrack|mlflow)\./.test(key)))
        .slice(0, MAX_GLOB_COLUMNS)
        .forEach(key => add(`${kind}.${key}`));
      continue;
    }
    const keyed = splitColumn(entry);
    if (keyed && (keys === null || keys[keyed.kind].includes(keyed.key))) {
      add(entry);
    }
  }
  return out;
}

/** The file name of an experiment's runs as CSV: `demo-runs.csv`. */
export function csvFilename(experiment: IExperiment): string {
  const base =
    experiment.name
      .replace(/\.ipynb$/, '')
      .replace(/[^\w.-]+/g, '_')
      .replace(/^_+|_+$/g, '') || `experiment-${experiment.experiment_id}`;
  return `${base}-runs.csv`;
}
