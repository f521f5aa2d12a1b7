/**
 * A compare view's state: the runs side by side (one `GET compare`), the
 * plot tab shown, the metric histories of the "Metric history" tab and the
 * diff of two runs' captured notebooks.
 */
import type { LabtrackAPI } from '../api/client';
import type { IBulkSeries, ICompareReply } from '../api/types';
import { Poller, pollInit } from '../common/poller';
import { ViewState } from '../common/viewState';

/** How often a visible compare view asks whether its runs changed (renamed, say). */
export const COMPARE_POLL_MS = 3000;

export type PlotTab = 'parallel' | 'scatter' | 'contour' | 'box' | 'history';

/** The notebook diff: its text once done, or why it failed. */
export interface INotebookDiffState {
  text: string | null;
  error: string | null;
  busy: boolean;
}

export class CompareState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly runIds: string[]
  ) {
    super();
    this._poller = new Poller(() => this._poll(), COMPARE_POLL_MS);
  }

  /**
   * Follow the runs while the view is visible: ask the change marker of
   * their experiments, and fetch the runs again when it moved (a rename,
   * a new tag or metric). Stops when hidden.
   */
  setActive(active: boolean): void {
    if (active) {
      this._poller.start();
    } else {
      this._poller.stop();
    }
  }

  get isPolling(): boolean {
    return this._poller.started;
  }

  /** System tags (`labtrack.*`, `mlflow.*`) are shown in the table. */
  get showSystemTags(): boolean {
    return this._showSystemTags;
  }

  setShowSystemTags(show: boolean): void {
    this._showSystemTags = show;
    this.emit();
  }

  dispose(): void {
    this._poller.dispose();
    super.dispose();
  }

  /** The runs and their keys; null until the first answer. */
  get reply(): ICompareReply | null {
    return this._reply;
  }

  get error(): string | null {
    return this._error;
  }

  get tab(): PlotTab {
    return this._tab;
  }

  /** The metric of the "Metric history" tab (`metrics.<key>`), '' for none. */
  get historyMetric(): string {
    return this._historyMetric;
  }

  get history(): IBulkSeries[] {
    return this._history;
  }

  get historyError(): string | null {
    return this._historyError;
  }

  get notebookDiff(): INotebookDiffState {
    return this._notebookDiff;
  }

  /** Ask for the runs again. */
  async refresh(): Promise<void> {
    const outcome = await this.latest('runs', () =>
      this._api.runs.compare(this.runIds)
    );
    if (!outcome) {
      return;
    }
    if (outcome.ok) {
      // The same answer again (the poll's first check) redraws nothing:
      // a redraw would drop the brushing of the parallel coordinates.
      if (this._error === null && sameReply(this._reply, outcome.value)) {
        return;
      }
      this._reply = outcome.value;
    }
    this._error = outcome.ok ? null : outcome.error;
    this.emit();
  }

  /** Show another plot tab; the history tab starts at the first metric. */
  setTab(tab: PlotTab): void {
    this._tab = tab;
    if (tab === 'history') {
      this._history = [];
      this._historyError = null;
      const first = this._reply?.keys.metrics[0];
      this.setHistoryMetric(first ? `metrics.${first}` : '');
    } else {
      this.emit();
    }
  }

  /** Chart another metric's histories (`metrics.<key>`). */
  setHistoryMetric(metric: string): void {
    this._historyMetric = metric;
    this.emit();
    if (metric) {
      void this._fetchHistory(metric);
    }
  }

  /** Diff the captured notebooks of two runs. */
  async diffNotebooks(base: string, other: string): Promise<void> {
    this._notebookDiff = { ...this._notebookDiff, busy: true, error: null };
    this.emit();
    const outcome = await this.latest('diff', () =>
      this._api.notebooks.diff(base, other)
    );
    if (outcome) {
      this._notebookDiff = outcome.ok
        ? { text: outcome.value.text, error: null, busy: false }
        : { ...this._notebookDiff, error: outcome.error, busy: false };
      this.emit();
    }
  }

  /** Another pair of runs was chosen: the last diff no longer applies. */
  clearNotebookDiff(): void {
    this._notebookDiff = { ...this._notebookDiff, text: null };
    this.emit();
  }

  private async _fetchHistory(metric: string): Promise<void> {
    const outcome = await this.latest('history', () =>
      this._api.runs.bulk(this.runIds, [metric.slice('metrics.'.length)])
    );
    if (outcome?.ok) {
      this._history = outcome.value.series;
    } else if (outcome) {
      this._historyError = outcome.error;
    }
    this.emit();
  }

  private async _poll(): Promise<void> {
    const ids = [
      ...new Set((this._reply?.runs ?? []).map(r => r.info.experiment_id))
    ];
    if (ids.length === 0) {
      return;
    }
    const outcome = await this.latest('changes', () =>
      this._api.runs.changes(this._marker ?? '', ids.join(','), pollInit())
    );
    if (!outcome?.ok) {
      return;
    }
    const first = this._marker === null;
    this._marker = outcome.value.marker;
    // The first marker is read after the runs were: a change in between (a
    // rename right after the view opened) is only caught by reading them again.
    if (first || outcome.value.changed) {
      await this.refresh();
    }
  }

  private _poller: Poller;
  private _marker: string | null = null;
  private _showSystemTags = false;
  private _reply: ICompareReply | null = null;
  private _error: string | null = null;
  private _tab: PlotTab = 'parallel';
  private _historyMetric = '';
  private _history: IBulkSeries[] = [];
  private _historyError: string | null = null;
  private _notebookDiff: INotebookDiffState = {
    text: null,
    error: null,
    busy: false
  };
}

/** Whether two compare answers hold the same runs and keys. */
function sameReply(a: ICompareReply | null, b: ICompareReply): boolean {
  return a !== null && JSON.stringify(a) === JSON.stringify(b);
}
