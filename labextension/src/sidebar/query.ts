/**
 * Pure functions that turn what the user asked of the runs table into the
 * query strings of `GET runs`, `GET runs.csv` and the filter language.
 */
import {
  type ColumnKind,
  type IExperiment,
  type IRunKeys,
  type IRunRow,
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

/**
 * Tags every query asks for, whatever is shown: the kernel (for notebook
 * versions) and the models (for the model icon).
 */
export const ALWAYS_COLUMNS = [
  `tags.${RunTags.kernelId}`,
  `tags.${RunTags.loggedModels}`,
  `tags.${RunTags.registeredModels}`
];

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

/** How many keys a `kind.*` entry shows when no key tells the runs apart. */
export const FEW_GLOB_COLUMNS = 5;

/** How many keys of a kind are fetched to find those that vary. */
export const MAX_CANDIDATE_KEYS = 60;

/** The keys of a glob's kind that may be shown (system tags left out). */
function globKeys(kind: ColumnKind, keys: IRunKeys | null): string[] {
  return (keys?.[kind] ?? []).filter(
    key => !(kind === 'tags' && RunTags.isSystem(key))
  );
}

/** Walk `defaultColumns`: exact entries the experiment has, and the globs' kinds. */
function eachDefault(
  defaults: readonly string[],
  keys: IRunKeys | null,
  onExact: (column: string) => void,
  onGlob: (kind: ColumnKind) => void
): void {
  for (const entry of defaults) {
    const glob = /^(params|metrics|tags)\.\*$/.exec(entry);
    if (glob) {
      onGlob(glob[1] as ColumnKind);
      continue;
    }
    const keyed = splitColumn(entry);
    if (keyed && (keys === null || keys[keyed.kind].includes(keyed.key))) {
      onExact(entry);
    }
  }
}

/**
 * The keys of `kind` that tell the runs apart: at least two different values
 * among the rows that have the key. A key only some runs have (autologged
 * params beside hand-logged ones) does not differ by its absence.
 */
export function varyingKeys(
  kind: ColumnKind,
  candidates: string[],
  rows: readonly IRunRow[]
): string[] {
  return candidates.filter(key => {
    const seen = new Set<string>();
    for (const row of rows) {
      const value = row[kind]?.[key];
      if (value !== undefined && value !== null) {
        seen.add(String(value));
        if (seen.size > 1) {
          return true;
        }
      }
    }
    return false;
  });
}

/**
 * The columns to fetch to resolve `defaultColumns`: its exact entries and,
 * for `metrics.*` / `params.*` / `tags.*`, every key of that kind (at most
 * MAX_CANDIDATE_KEYS), so the rows show which keys vary.
 */
export function defaultCandidates(
  defaults: readonly string[],
  keys: IRunKeys | null
): string[] {
  const out = new Set<string>();
  eachDefault(
    defaults,
    keys,
    column => out.add(column),
    kind =>
      globKeys(kind, keys)
        .slice(0, MAX_CANDIDATE_KEYS)
        .forEach(key => out.add(`${kind}.${key}`))
  );
  return [...out];
}

/**
 * The columns `defaultColumns` names for an experiment with these keys:
 * exact entries (`metrics.rmse`) when the experiment has them, and for
 * `metrics.*` / `params.*` / `tags.*` the keys of that kind whose values
 * differ between the `rows` loaded (at most MAX_GLOB_COLUMNS), or the first
 * FEW_GLOB_COLUMNS keys when none does (a single run); without rows, the
 * first MAX_GLOB_COLUMNS keys. System tags (`labtrack.*`, `mlflow.*`) are
 * left out.
 */
export function resolveDefaultColumns(
  defaults: readonly string[],
  keys: IRunKeys | null,
  rows?: readonly IRunRow[]
): string[] {
  const out: string[] = [];
  const add = (column: string): void => {
    if (!out.includes(column)) {
      out.push(column);
    }
  };
  eachDefault(defaults, keys, add, kind => {
    const candidates = globKeys(kind, keys);
    let chosen = candidates.slice(0, MAX_GLOB_COLUMNS);
    if (rows !== undefined) {
      const varying = varyingKeys(kind, candidates, rows);
      chosen =
        varying.length > 0
          ? varying.slice(0, MAX_GLOB_COLUMNS)
          : candidates.slice(0, FEW_GLOB_COLUMNS);
    }
    chosen.forEach(key => add(`${kind}.${key}`));
  });
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
