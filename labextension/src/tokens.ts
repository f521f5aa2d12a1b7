/**
 * Interfaces, wire types and identifiers shared by the labtrack frontend.
 *
 * Wire types mirror the JSON served by the server extension under
 * `<base_url>labtrack/api/`; field names stay snake_case as on the wire.
 */

/** The plugin id; also names the settings schema (`schema/plugin.json`). */
export const PLUGIN_ID = 'labtrack:plugin';

/** Command ids. */
export namespace CommandIDs {
  export const openSidebar = 'labtrack:open-sidebar';
  export const refreshRuns = 'labtrack:refresh-runs';
  export const downloadCsv = 'labtrack:download-runs-csv';
  export const createExperiment = 'labtrack:create-experiment';
  /**
   * Compare runs; implemented by another plugin. Called with
   * `{ runIds: string[], experimentIds: string[] }`.
   */
  export const compareRuns = 'labtrack:compare-runs';
  /** Open a run's page (`{ runId }`); implemented by the run pages plugin. */
  export const openRun = 'labtrack:open-run';
  /** Select runs in the sidebar's table (`{ runIds }`), e.g. from a plot. */
  export const selectRuns = 'labtrack:select-runs';
  /** The registered models (main-area tab); implemented by the registry plugin. */
  export const openModels = 'labtrack:open-models';
  /** A registered model's page (`{ name }`). */
  export const openModel = 'labtrack:open-model';
  /** Register a run's model folder (`{ runId, path }`): a dialog. */
  export const registerModel = 'labtrack:register-model';
}

/** Run tags the sidebar reads. */
export namespace RunTags {
  /** The kernel that ran the run: its notebook's live model is stored with it. */
  export const kernelId = 'labtrack.kernel.id';
  export const user = 'labtrack.user';
  export const sourceName = 'labtrack.source.name';
  export const parentRunId = 'labtrack.parentRunId';
}

/** `GET labtrack/api/store`: which store the server reads. */
export interface IStoreInfo {
  /** SQLAlchemy URL of the tracking database, password masked. */
  tracking_uri: string;
  /** Where artifacts are written: a local folder or an fsspec URL. */
  artifact_root: string;
}

/** The body of every error the API returns. */
export interface IErrorReply {
  error_code: string;
  message: string;
}

/** An experiment as the API serves it. */
export interface IExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted' | string;
  tags: Record<string, string>;
  creation_time: number | null;
  last_update_time: number | null;
}

/** `GET experiments`. */
export interface IExperimentsReply {
  experiments: IExperiment[];
  next_page_token: string | null;
}

/** `GET notebook-experiment`: null until the notebook's first run creates it. */
export interface INotebookExperimentReply {
  experiment: IExperiment | null;
  notebook_path: string;
  notebook_id: string | null;
}

/** A run's lifecycle status. */
export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | string;

/** Metric values: NaN and the infinities arrive as strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** One row of `GET runs`, holding only the requested columns. */
export interface IRunRow {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  user_id: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  metrics: Record<string, MetricValue>;
  tags: Record<string, string>;
}

/** Every key of each kind in the searched experiments. */
export interface IRunKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** `GET runs`. */
export interface IRunsReply {
  runs: IRunRow[];
  next_page_token: string | null;
  keys: IRunKeys;
  /** The change marker as of this answer: poll `changes?since=` with it. */
  marker: string;
}

/** `GET changes`. */
export interface IChangesReply {
  marker: string;
  changed: boolean;
}

/** The single network call site's signature (see `handler.ts`). */
export type RequestAPI = <T>(
  endPoint: string,
  init?: RequestInit
) => Promise<T>;

/** The kinds of keyed columns. */
export type ColumnKind = 'params' | 'metrics' | 'tags';

/** Columns every row has (sortable through their attribute). */
export type BuiltinColumn =
  'run_name' | 'status' | 'start_time' | 'duration' | 'user_id';

/** One clause of the sort: a builtin column or `params.x` / `metrics.y` / `tags.z`. */
export interface ISortKey {
  column: string;
  ascending: boolean;
}

/** The start-time quick filter. */
export type StartedWithin = 'all' | 'hour' | 'day' | 'week' | 'month';

/** What the user asks of the runs table; the model turns it into a query string. */
export interface IRunQuery {
  /** The filter language text, as typed. */
  filter: string;
  /** Statuses to show; empty = every status. */
  statuses: string[];
  startedWithin: StartedWithin;
  hasModel: boolean;
  hasRegisteredModel: boolean;
  /** null = the server's order (newest first). */
  sort: ISortKey | null;
}

/** A notebook as the sidebar knows it. */
export interface INotebookRef {
  /** Root-relative path, e.g. `sub/demo.ipynb`. */
  path: string;
  /** `metadata.labtrack.notebook_id`. */
  notebookId: string | null;
  /** The running kernel's id, null without a kernel. */
  kernelId: string | null;
}

/** Reads the live notebook served by a kernel (for run notebook versions). */
export interface INotebookSource {
  /** The notebook whose kernel has this id, or null when none is open here. */
  findByKernel(kernelId: string): {
    path: string;
    toJSON(): unknown;
  } | null;
}
