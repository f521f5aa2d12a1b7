/**
 * A run page's state: the run, fetched again every `interval` ms while it is
 * RUNNING and the page is visible (never after it ended or the page was
 * disposed: a reply that arrives after that changes nothing), and what the
 * page shows with it: child runs, metric ranges and charts, artifacts, the
 * files of its logged models, the captured notebook.
 */
import type { LabtrackAPI } from '../api/client';
import type { IRunUpdate } from '../api/runs';
import type {
  IExperiment,
  INotebookJSON,
  IRunDetail,
  IRunRow
} from '../api/types';
import { Poller } from '../common/poller';
import { ViewState } from '../common/viewState';
import { ArtifactsState, modelArtifacts, runArtifacts } from './artifactsState';
import { summarize } from './logic';
import { MetricChartState } from './chartsState';

/** Milliseconds between fetches of a live run. */
export const LIVE_INTERVAL = 2000;

/** Metrics whose min and max the metrics table shows, at most. */
const RANGE_KEYS = 100;

/** Points per history read for a metric's min and max. */
const RANGE_POINTS = 200;

/** A metric's smallest and largest value. */
export interface IRange {
  min: number;
  max: number;
}

export class RunPageState extends ViewState {
  constructor(options: RunPageState.IOptions) {
    super();
    this.runId = options.runId;
    this._api = options.api;
    this._isVisible = options.isVisible;
    this._poller = new Poller(
      () => this._fetch(),
      options.interval ?? LIVE_INTERVAL
    );
    this.charts = new MetricChartState(options.api, options.runId);
    this.artifacts = new ArtifactsState(
      runArtifacts(options.api, options.runId)
    );
  }

  readonly runId: string;
  /** The metric charts: which metrics, and their histories. */
  readonly charts: MetricChartState;
  readonly artifacts: ArtifactsState;

  /** The logged model whose files are shown; null for none. */
  get openModel(): string | null {
    return this._openModel;
  }

  /** The files of a logged model of the run (listed when first shown). */
  modelFiles(modelId: string): ArtifactsState {
    let files = this._modelFiles.get(modelId);
    if (!files) {
      files = new ArtifactsState(modelArtifacts(this._api, modelId));
      files.changed.connect(() => this.emit());
      this._modelFiles.set(modelId, files);
    }
    return files;
  }

  /** Show a logged model's files, or hide them when they are shown. */
  toggleModel(modelId: string): void {
    this._openModel = this._openModel === modelId ? null : modelId;
    if (this._openModel !== null) {
      void this.modelFiles(modelId).load('');
    }
    this.emit();
  }

  /** The run; null until the first fetch succeeds. */
  get run(): IRunDetail | null {
    return this._run;
  }

  /** Why the last fetch failed; null when it succeeded. */
  get error(): string | null {
    return this._error;
  }

  /** How many times the run was fetched. */
  get fetches(): number {
    return this._fetches;
  }

  /** Whether the run is fetched again on schedule. */
  get isPolling(): boolean {
    return this._poller.started;
  }

  /** The runs whose parent this run is. */
  /** The run's experiment (for the link back to it); null until fetched. */
  get experiment(): IExperiment | null {
    return this._experiment;
  }

  get children(): ReadonlyArray<Pick<IRunRow, 'run_id' | 'run_name'>> {
    return this._children;
  }

  /** Min and max of each metric (of its history). */
  get ranges(): Readonly<Record<string, IRange>> {
    return this._ranges;
  }

  /** Whether the captured notebook is shown. */
  get notebookOpen(): boolean {
    return this._notebookOpen;
  }

  /** The captured notebook, once fetched. */
  get notebook(): INotebookJSON | null {
    return this._notebook;
  }

  get notebookError(): string | null {
    return this._notebookError;
  }

  /** Fetch the run now (then on schedule while it is live and visible). */
  refresh(): Promise<void> {
    return this._fetch();
  }

  /** The page was hidden: no fetch until it is shown again. */
  pause(): void {
    this._poller.stop();
  }

  /** The page was shown: a live run is fetched again one interval from now. */
  resume(): void {
    this._follow();
  }

  /** Change the run (name, description, tags); throws the server's refusal. */
  async update(body: IRunUpdate): Promise<void> {
    const run = await this._api.runs.update(this.runId, body);
    if (!this.isDisposed) {
      this._run = run;
      this.emit();
    }
  }

  /** Show or hide the captured notebook (fetched when first shown). */
  toggleNotebook(): void {
    this._notebookOpen = !this._notebookOpen;
    this.emit();
    if (this._notebookOpen && this._notebook === null) {
      void this._fetchNotebook();
    }
  }

  dispose(): void {
    this._poller.dispose();
    this.charts.dispose();
    this.artifacts.dispose();
    for (const files of this._modelFiles.values()) {
      files.dispose();
    }
    super.dispose();
  }

  /** One fetch of the run, then what depends on it. */
  private async _fetch(): Promise<void> {
    const outcome = await this.latest('run', () =>
      this._api.runs.get(this.runId)
    );
    if (outcome === null) {
      return; // Disposed meanwhile.
    }
    if (outcome.ok) {
      this._run = outcome.value;
    }
    this._error = outcome.ok ? null : outcome.error;
    this._fetches += 1;
    this._follow();
    this.emit();
    const run = this._run;
    if (run === null) {
      return;
    }
    if (!this._loaded) {
      this._loaded = true;
      void this._fetchChildren(run);
      void this._fetchExperiment(run);
      void this.artifacts.load('');
    }
    const metricKeys = Object.keys(run.data.metrics).sort();
    void this._fetchRanges(metricKeys);
    this.charts.setKeys(metricKeys);
    void this.charts.refresh();
  }

  /** Poll while the run is live (or not loaded yet) and the page visible. */
  private _follow(): void {
    const live = this._run === null || this._run.info.status === 'RUNNING';
    if (live && !this.isDisposed && this._isVisible()) {
      this._poller.start(false);
    } else {
      this._poller.stop();
    }
  }

  private async _fetchExperiment(run: IRunDetail): Promise<void> {
    const outcome = await this.latest('experiment', () =>
      this._api.experiments.get(run.info.experiment_id)
    );
    if (outcome?.ok) {
      this._experiment = outcome.value;
      this.emit();
    }
  }

  private async _fetchChildren(run: IRunDetail): Promise<void> {
    const outcome = await this.latest('children', () =>
      this._api.runs.children(run.info.experiment_id, run.info.run_id)
    );
    if (outcome) {
      this._children = outcome.ok ? outcome.value : [];
      this.emit();
    }
  }

  private async _fetchRanges(metricKeys: string[]): Promise<void> {
    const outcome = await this.latest('ranges', () =>
      Promise.all(
        metricKeys
          .slice(0, RANGE_KEYS)
          .map(key =>
            this._api.runs
              .history(this.runId, key, RANGE_POINTS)
              .then(reply => [key, summarize(reply.points)] as const)
          )
      )
    );
    // After a failure the table shows the last values only.
    if (outcome?.ok) {
      this._ranges = Object.fromEntries(outcome.value);
      this.emit();
    }
  }

  private async _fetchNotebook(): Promise<void> {
    const outcome = await this.latest('notebook', () =>
      this._api.notebooks.get(this.runId)
    );
    if (outcome?.ok) {
      this._notebook = outcome.value;
    } else if (outcome) {
      this._notebookError = outcome.error;
    }
    this.emit();
  }

  private _api: LabtrackAPI;
  private _isVisible: () => boolean;
  private _poller: Poller;
  private _openModel: string | null = null;
  private readonly _modelFiles = new Map<string, ArtifactsState>();
  private _run: IRunDetail | null = null;
  private _error: string | null = null;
  private _fetches = 0;
  private _loaded = false;
  private _experiment: IExperiment | null = null;
  private _children: Pick<IRunRow, 'run_id' | 'run_name'>[] = [];
  private _ranges: Record<string, IRange> = {};
  private _notebookOpen = false;
  private _notebook: INotebookJSON | null = null;
  private _notebookError: string | null = null;
}

export namespace RunPageState {
  export interface IOptions {
    api: LabtrackAPI;
    runId: string;
    /** Whether the page is shown now. */
    isVisible: () => boolean;
    /** Milliseconds between fetches of a live run. */
    interval?: number;
  }
}
