import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackAPI } from '../api/client';
import type { IExperiment, INotebookExperimentReply } from '../api/types';
import { errorMessage } from '../common/errors';
import { Poller, pollInit } from '../common/poller';
import { ExperimentsState } from './experiments';
import { csvFilename } from './query';
import { RunsState } from './runs';
import { DEFAULT_POLL_INTERVAL } from './settings';
import { NotebookSnapshots } from './snapshots';
import { StoreState } from './store';
import type { INotebookRef, INotebookSource } from './types';

/** Ticks during which a renamed notebook's experiment is asked for again. */
const RENAME_TICKS = 5;

/**
 * Where the active notebook's experiment stands: no notebook, being looked
 * up, not created yet (no run so far), found, or the look-up failed.
 */
export type NotebookState = 'none' | 'loading' | 'missing' | 'found' | 'error';

/**
 * The sidebar's state: the active notebook, its experiment (or the one the
 * user switched to), that experiment's runs (`runs`), the experiments list
 * (`experiments`) and the store the server reads. Views only read it.
 *
 * Polling runs only while some view is visible (`start()`/`stop()`): each
 * tick asks the server one cheap question (has anything changed since the
 * marker?) and fetches rows only when the answer is yes.
 */
export class SidebarState implements IDisposable {
  constructor(options: SidebarState.IOptions) {
    this._api = options.api;
    this._poller = new Poller(
      () => this._tick(),
      options.pollInterval ?? DEFAULT_POLL_INTERVAL
    );
    this.runs = new RunsState({
      api: options.api,
      pageSize: options.pageSize,
      defaultColumns: options.defaultColumns
    });
    this.experiments = new ExperimentsState({ api: options.api });
    this.store = new StoreState({ api: options.api });
    this.snapshots = new NotebookSnapshots({
      api: options.api,
      source: options.source ?? null
    });
    this.runs.fetched.connect((_, fetched) => this.snapshots.observe(fetched));
  }

  /**
   * The server checks permissions (team mode): owners, Share and "Shared
   * with me" are shown.
   */
  get teamMode(): boolean {
    return this._teamMode;
  }

  /** The runs of the shown experiment. */
  readonly runs: RunsState;
  /** The experiments list of the switcher; create, rename, delete. */
  readonly experiments: ExperimentsState;
  /** Stores live notebooks as the notebook versions of their runs. */
  readonly snapshots: NotebookSnapshots;
  /** Which store the server reads. */
  readonly store: StoreState;

  /** Emitted when the notebook or the experiment shown change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The active notebook; null when none is open. */
  get notebook(): INotebookRef | null {
    return this._notebook;
  }

  get notebookState(): NotebookState {
    return this._notebookState;
  }

  /** Why the notebook's experiment could not be looked up. */
  get notebookError(): string | null {
    return this._notebookError;
  }

  /** The active notebook's experiment; null until its first run creates it. */
  get notebookExperiment(): IExperiment | null {
    return this._notebookExperiment;
  }

  /** The experiment shown: the one switched to, else the notebook's. */
  get experiment(): IExperiment | null {
    return this._pinned ?? this._notebookExperiment;
  }

  /** True when the user switched away from the notebook's experiment. */
  get switched(): boolean {
    return this._pinned !== null;
  }

  /** Milliseconds between polls while started; 0 turns polling off. */
  get pollInterval(): number {
    return this._poller.interval;
  }

  set pollInterval(value: number) {
    this._poller.interval = value;
  }

  /** The notebooks open in this page (for run notebook versions). */
  set notebookSource(source: INotebookSource | null) {
    this.snapshots.source = source;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  get started(): boolean {
    return this._poller.started;
  }

  /** Fetch now, then keep polling every `pollInterval` ms until `stop()`. */
  start(): void {
    if (!this._isDisposed) {
      this._poller.start();
      // Asked once per server (cached by the API), when a view first shows.
      void this._api.permissions.teamMode().then(team => {
        if (team !== this._teamMode && !this._isDisposed) {
          this._teamMode = team;
          this._changed.emit();
        }
      });
    }
  }

  /** Stop polling; the last state stays readable. */
  stop(): void {
    this._poller.stop();
  }

  /**
   * Follow another notebook (null: none). A new path for the same notebook
   * (a rename) keeps the experiment shown while the server is asked again.
   */
  setNotebook(notebook: INotebookRef | null): void {
    const old = this._notebook;
    if (
      old?.path === notebook?.path &&
      old?.notebookId === notebook?.notebookId &&
      old?.kernelId === notebook?.kernelId
    ) {
      return;
    }
    this._notebook = notebook;
    const sameNotebook =
      old !== null &&
      notebook !== null &&
      (old.notebookId !== null
        ? old.notebookId === notebook.notebookId
        : old.path === notebook.path);
    if (
      old?.path !== notebook?.path ||
      old?.notebookId !== notebook?.notebookId
    ) {
      if (!sameNotebook) {
        this._notebookExperiment = null;
        this._pinned = null;
      }
      // After a rename the server renames the notebook's experiment when it
      // hears of it: ask again for a few ticks until the name follows.
      this._renameTicks = sameNotebook ? RENAME_TICKS : 0;
      this._notebookState = notebook === null ? 'none' : 'loading';
      this._notebookError = null;
      this._syncRuns(false);
      this._poller.kick();
    }
    this._changed.emit();
  }

  /** Ask the server again now: store, notebook experiment and runs. */
  async refresh(): Promise<void> {
    await this.store.fetch();
    if (this._notebook !== null) {
      await this._resolveNotebook();
    }
    if (this.experiment !== null) {
      await Promise.all([this.runs.refresh('load'), this._refreshExperiment()]);
    }
  }

  /** Show another experiment; the notebook's own one ends the switch. */
  switchTo(experiment: IExperiment): void {
    const own =
      experiment.experiment_id === this._notebookExperiment?.experiment_id;
    this._pinned = own ? null : experiment;
    this._syncRuns(false);
    this._changed.emit();
    this._poller.kick();
  }

  /** Back to the active notebook's experiment. */
  backToNotebook(): void {
    if (this._pinned === null) {
      return;
    }
    this._pinned = null;
    this._syncRuns(false);
    this._changed.emit();
    this._poller.kick();
  }

  /** Create an experiment and show it. */
  async createExperiment(name: string): Promise<IExperiment> {
    const experiment = await this.experiments.create(name);
    this.switchTo(experiment);
    return experiment;
  }

  /** Rename the experiment shown. */
  async renameExperiment(name: string): Promise<IExperiment | null> {
    const current = this.experiment;
    if (current === null) {
      return null;
    }
    const renamed = await this.experiments.rename(current.experiment_id, name);
    this._replace(renamed);
    return renamed;
  }

  /** Delete the experiment shown (it can be restored); back to the notebook's. */
  async deleteExperiment(): Promise<void> {
    const current = this.experiment;
    if (current === null) {
      return;
    }
    await this.experiments.remove(current.experiment_id);
    if (this._pinned?.experiment_id === current.experiment_id) {
      this._pinned = null;
    }
    if (this._notebookExperiment?.experiment_id === current.experiment_id) {
      this._notebookExperiment = null;
      this._notebookState = this._notebook ? 'missing' : 'none';
    }
    this._syncRuns(false);
    this._changed.emit();
    this._poller.kick();
  }

  /** The current query's runs as CSV (MLflow's columns), and a file name. */
  async fetchCsv(): Promise<{ filename: string; text: string } | null> {
    const experiment = this.experiment;
    if (experiment === null) {
      return null;
    }
    const text = await this._api.runs.csv(this.runs.queryString);
    return { filename: csvFilename(experiment), text };
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poller.dispose();
    Signal.clearData(this);
    Signal.clearData(this.runs);
    Signal.clearData(this.experiments);
    Signal.clearData(this.store);
  }

  /** One poll: the store once, the notebook's experiment until found, changes. */
  private async _tick(): Promise<void> {
    if (this.store.info === null) {
      await this.store.fetch();
    }
    if (this._notebook !== null && this._notebookState !== 'found') {
      await this._resolveNotebook();
    } else if (this._renameTicks > 0 && this._notebook !== null) {
      this._renameTicks -= 1;
      if (this._notebookExperiment?.name === this._notebook.path) {
        this._renameTicks = 0;
      } else {
        await this._resolveNotebook();
      }
    }
    if (this.experiment !== null) {
      const hadRows = this.runs.marker !== null;
      const refetched = await this.runs.poll();
      if (refetched && hadRows) {
        // Whatever changed may be the experiment itself (renamed with its notebook).
        await this._refreshExperiment();
      }
    }
    await this.snapshots.poll(new Set(this.runs.runs.map(r => r.run_id)));
  }

  private async _resolveNotebook(): Promise<void> {
    const notebook = this._notebook;
    if (notebook === null) {
      return;
    }
    let reply: INotebookExperimentReply;
    try {
      reply = await this._api.experiments.ofNotebook(
        notebook.path,
        notebook.notebookId,
        pollInit()
      );
    } catch (reason) {
      if (this._notebook === notebook) {
        this._notebookState = 'error';
        this._notebookError = errorMessage(reason);
        this._changed.emit();
      }
      return;
    }
    if (this._notebook !== notebook || this._isDisposed) {
      return; // Another notebook became active meanwhile.
    }
    const wasMissing = this._notebookState === 'missing';
    const found = reply.experiment;
    const before = JSON.stringify([
      this._notebookExperiment,
      this._notebookState
    ]);
    this._notebookExperiment = found;
    this._notebookState = found ? 'found' : 'missing';
    this._notebookError = null;
    // Created by a run while we watched: its runs are new (notebook versions).
    this._syncRuns(wasMissing && found !== null);
    if (
      JSON.stringify([this._notebookExperiment, this._notebookState]) !== before
    ) {
      this._changed.emit();
    }
  }

  private async _refreshExperiment(): Promise<void> {
    const current = this.experiment;
    if (current === null) {
      return;
    }
    try {
      const fresh = await this.experiments.get(
        current.experiment_id,
        pollInit()
      );
      if (this.experiment?.experiment_id === fresh.experiment_id) {
        this._replace(fresh);
      }
    } catch {
      // The runs' own error shows what is wrong.
    }
  }

  /** Put a newer copy of an experiment wherever the old one is held. */
  private _replace(experiment: IExperiment): void {
    const id = experiment.experiment_id;
    let changed = false;
    if (
      this._pinned?.experiment_id === id &&
      JSON.stringify(this._pinned) !== JSON.stringify(experiment)
    ) {
      this._pinned = experiment;
      changed = true;
    }
    if (
      this._notebookExperiment?.experiment_id === id &&
      JSON.stringify(this._notebookExperiment) !== JSON.stringify(experiment)
    ) {
      this._notebookExperiment = experiment;
      changed = true;
    }
    if (changed) {
      this._changed.emit();
    }
  }

  private _syncRuns(isNew: boolean): void {
    this.runs.setExperiment(this.experiment?.experiment_id ?? null, isNew);
  }

  private _api: LabtrackAPI;
  private _teamMode = false;
  private _poller: Poller;
  private _notebook: INotebookRef | null = null;
  private _notebookState: NotebookState = 'none';
  private _notebookError: string | null = null;
  private _notebookExperiment: IExperiment | null = null;
  private _pinned: IExperiment | null = null;
  private _renameTicks = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace SidebarState {
  export interface IOptions {
    /** How to reach the server; `serverAPI()` in the app, a fake in tests. */
    api: LabtrackAPI;
    /** Milliseconds between polls while started. */
    pollInterval?: number;
    /** Rows per page of the runs table. */
    pageSize?: number;
    /** Columns shown until the user chooses (`metrics.*`, `params.alpha`, ...). */
    defaultColumns?: string[];
    /** The notebooks open in this page. */
    source?: INotebookSource | null;
  }
}
