import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackAPI } from '../api/client';
import type {
  IChangesReply,
  IRunKeys,
  IRunRow,
  IRunsReply
} from '../api/types';
import { errorMessage, httpStatus } from '../common/errors';
import { pollInit } from '../common/poller';
import {
  defaultCandidates,
  EMPTY_QUERY,
  isSortable,
  resolveDefaultColumns,
  runsQueryString
} from './query';
import { RunSelection } from './selection';
import { DEFAULT_COLUMNS, DEFAULT_PAGE_SIZE } from './settings';
import type { FetchReason, IFetched, IRunQuery } from './types';

/**
 * The runs of one experiment as the table shows them: the query the user
 * built, the rows fetched so far (page by page), the keys for the column
 * chooser and the filter box, the selection, and the change marker.
 *
 * `poll()` asks the server only whether anything changed since the marker
 * and refetches rows only when it did.
 */
export class RunsState {
  constructor(options: RunsState.IOptions) {
    this._api = options.api;
    this._pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this._defaultColumns = options.defaultColumns ?? DEFAULT_COLUMNS;
  }

  /** Emitted when rows, query, columns, loading or errors change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The selected runs; cleared when another experiment is shown. */
  readonly selection = new RunSelection();

  /** Emitted when the selected run ids change. */
  get selectionChanged(): ISignal<RunSelection, string[]> {
    return this.selection.changed;
  }

  /** Emitted after each successful fetch of rows. */
  get fetched(): ISignal<this, IFetched> {
    return this._fetched;
  }

  get experimentId(): string | null {
    return this._experimentId;
  }

  get query(): IRunQuery {
    return this._query;
  }

  get runs(): readonly IRunRow[] {
    return this._runs;
  }

  /** Keys of the experiment's runs; null before the first answer. */
  get keys(): IRunKeys | null {
    return this._keys;
  }

  get hasMore(): boolean {
    return this._nextPageToken !== null;
  }

  /** The change marker of the last answer; null before it. */
  get marker(): string | null {
    return this._marker;
  }

  /** True while the first page of a new query is being fetched. */
  get loading(): boolean {
    return this._loading;
  }

  get loadingMore(): boolean {
    return this._loadingMore;
  }

  /** The server rejected the query (a 400: a malformed filter, say): its message. */
  get queryError(): string | null {
    return this._queryError;
  }

  /** Any other failure (server unreachable, experiment gone). */
  get error(): string | null {
    return this._error;
  }

  /**
   * Keyed columns shown (`params.x`, `metrics.y`, `tags.z`): the user's
   * choice, else the settings' defaults, whose globs show the keys that
   * vary between the runs loaded.
   */
  get columns(): string[] {
    return (
      this._chosen.get(this._experimentId ?? '') ??
      resolveDefaultColumns(this._defaultColumns, this._keys, this._runs)
    );
  }

  /** The columns a fetch asks for: those chosen, else every default candidate. */
  private get _wantedColumns(): string[] {
    return (
      this._chosen.get(this._experimentId ?? '') ??
      defaultCandidates(this._defaultColumns, this._keys)
    );
  }

  /** True when the user chose the columns (not the settings' defaults). */
  get columnsChosen(): boolean {
    return this._chosen.has(this._experimentId ?? '');
  }

  get pageSize(): number {
    return this._pageSize;
  }

  set pageSize(value: number) {
    this._pageSize = Math.max(1, Math.floor(value));
  }

  get defaultColumns(): readonly string[] {
    return this._defaultColumns;
  }

  set defaultColumns(value: readonly string[]) {
    if (JSON.stringify(value) === JSON.stringify(this._defaultColumns)) {
      return;
    }
    this._defaultColumns = [...value];
    if (!this.columnsChosen && this._experimentId !== null) {
      void this.refresh();
    }
  }

  /** The query string of the current query (no paging): for `runs.csv?`. */
  get queryString(): string {
    if (this._experimentId === null) {
      return '';
    }
    return runsQueryString({
      experimentIds: [this._experimentId],
      query: this._query,
      columns: this.columns
    });
  }

  /**
   * Show another experiment (null: none); its query and columns come back.
   * `isNew` says the experiment was just created by a run: its rows count as
   * new for the `fetched` listeners (reason `poll`), not as already there.
   */
  setExperiment(experimentId: string | null, isNew = false): void {
    if (experimentId === this._experimentId) {
      return;
    }
    this._firstReason = isNew ? 'poll' : 'load';
    if (this._experimentId !== null) {
      this._savedQueries.set(this._experimentId, this._query);
    }
    this._experimentId = experimentId;
    this._query =
      (experimentId !== null && this._savedQueries.get(experimentId)) ||
      EMPTY_QUERY;
    this._reset();
    this.selection.clear();
    this._changed.emit();
  }

  /** Change part of the query and fetch the first page again. */
  setQuery(change: Partial<IRunQuery>): Promise<void> {
    this._query = { ...this._query, ...change };
    this._generation += 1;
    this._changed.emit();
    return this.refresh();
  }

  /** Sort by a column: ascending, then descending, then the server's order. */
  toggleSort(column: string): Promise<void> {
    if (!isSortable(column)) {
      return Promise.resolve();
    }
    const sort = this._query.sort;
    let next: IRunQuery['sort'];
    if (sort?.column !== column) {
      next = { column, ascending: true };
    } else if (sort.ascending) {
      next = { column, ascending: false };
    } else {
      next = null;
    }
    return this.setQuery({ sort: next });
  }

  /** Show these keyed columns (null: back to the settings' defaults). */
  setColumns(columns: string[] | null): Promise<void> {
    const id = this._experimentId ?? '';
    if (columns === null) {
      this._chosen.delete(id);
    } else {
      this._chosen.set(id, [...columns]);
    }
    this._changed.emit();
    return this.refresh();
  }

  /**
   * Fetch the first page again (as many rows as are loaded, at least a page).
   * `reason` tells the `fetched` listeners why.
   */
  async refresh(reason: FetchReason = 'load', quiet = false): Promise<void> {
    const id = this._experimentId;
    if (id === null) {
      return;
    }
    const generation = ++this._generation;
    const count = Math.max(this._pageSize, this._runs.length);
    if (reason === 'load' && !quiet && !this._loading) {
      this._loading = true;
      this._changed.emit();
    }
    let reply: IRunsReply | null = null;
    let failure: unknown = null;
    const columns = this._wantedColumns;
    this._inFlight += 1;
    try {
      reply = await this._api.runs.search(
        runsQueryString({
          experimentIds: [id],
          query: this._query,
          columns,
          maxResults: count
        })
      );
    } catch (reason) {
      failure = reason;
    } finally {
      this._inFlight -= 1;
    }
    if (generation !== this._generation || id !== this._experimentId) {
      return; // A newer query or another experiment took over.
    }
    this._loading = false;
    if (reply === null) {
      this._fail(failure);
      return;
    }
    this._runs = reply.runs;
    this._nextPageToken = reply.next_page_token ?? null;
    this._keys = reply.keys ?? this._keys;
    this._marker = reply.marker ?? this._marker;
    this._fetchedColumns = columns;
    this._queryError = null;
    this._error = null;
    this._changed.emit();
    this._fetched.emit({ experimentId: id, rows: reply.runs, reason });
    // The keys just learnt may name default columns not fetched yet.
    if (this._wantedColumns.some(c => !this._fetchedColumns.includes(c))) {
      await this.refresh(reason, true);
    }
  }

  /** Fetch the next page and append it. */
  async loadMore(): Promise<void> {
    const id = this._experimentId;
    const token = this._nextPageToken;
    if (id === null || token === null || this._loadingMore) {
      return;
    }
    const generation = this._generation;
    this._loadingMore = true;
    this._changed.emit();
    let reply: IRunsReply | null = null;
    let failure: unknown = null;
    try {
      reply = await this._api.runs.search(
        runsQueryString({
          experimentIds: [id],
          query: this._query,
          columns: this._fetchedColumns,
          maxResults: this._pageSize,
          pageToken: token
        })
      );
    } catch (reason) {
      failure = reason;
    }
    this._loadingMore = false;
    if (generation !== this._generation || id !== this._experimentId) {
      this._changed.emit();
      return;
    }
    if (reply === null) {
      this._fail(failure);
      return;
    }
    const known = new Set(this._runs.map(r => r.run_id));
    this._runs = [
      ...this._runs,
      ...reply.runs.filter(r => !known.has(r.run_id))
    ];
    this._nextPageToken = reply.next_page_token ?? null;
    this._error = null;
    this._changed.emit();
    this._fetched.emit({ experimentId: id, rows: reply.runs, reason: 'more' });
  }

  /**
   * Ask whether anything changed since the marker; refetch rows only if so.
   * Resolves to true when rows were refetched.
   */
  async poll(): Promise<boolean> {
    const id = this._experimentId;
    if (id === null || this._inFlight > 0) {
      return false;
    }
    if (this._marker === null) {
      // Not fetched yet, or the first fetch failed: fetch (after a failure,
      // without flashing "Loading").
      await this.refresh(this._firstReason, this._error !== null);
      return true;
    }
    const generation = this._generation;
    let reply: IChangesReply;
    try {
      reply = await this._api.runs.changes(this._marker, id, pollInit());
    } catch (reason) {
      if (generation === this._generation && id === this._experimentId) {
        this._fail(reason, false);
      }
      return false;
    }
    if (generation !== this._generation || id !== this._experimentId) {
      return false;
    }
    if (!reply.changed) {
      if (this._error !== null) {
        this._error = null;
        this._changed.emit();
      }
      return false;
    }
    await this.refresh('poll');
    return true;
  }

  private _fail(reason: unknown, clearRows = true): void {
    if (httpStatus(reason) === 400) {
      this._queryError = errorMessage(reason);
      this._error = null;
      if (clearRows) {
        this._runs = [];
        this._nextPageToken = null;
      }
    } else {
      this._error = errorMessage(reason);
    }
    this._changed.emit();
  }

  private _reset(): void {
    this._generation += 1;
    this._runs = [];
    this._nextPageToken = null;
    this._keys = null;
    this._marker = null;
    this._fetchedColumns = [];
    this._loading = this._experimentId !== null;
    this._loadingMore = false;
    this._queryError = null;
    this._error = null;
  }

  private _api: LabtrackAPI;
  private _pageSize: number;
  private _defaultColumns: string[];
  private _experimentId: string | null = null;
  private _query: IRunQuery = EMPTY_QUERY;
  private _savedQueries = new Map<string, IRunQuery>();
  private _chosen = new Map<string, string[]>();
  private _runs: IRunRow[] = [];
  private _nextPageToken: string | null = null;
  private _keys: IRunKeys | null = null;
  private _marker: string | null = null;
  private _fetchedColumns: string[] = [];
  private _loading = false;
  private _loadingMore = false;
  private _queryError: string | null = null;
  private _error: string | null = null;
  private _generation = 0;
  private _inFlight = 0;
  private _firstReason: FetchReason = 'load';
  private _changed = new Signal<this, void>(this);
  private _fetched = new Signal<this, IFetched>(this);
}

export namespace RunsState {
  export interface IOptions {
    api: LabtrackAPI;
    pageSize?: number;
    defaultColumns?: string[];
  }
}
