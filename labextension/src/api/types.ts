/**
 * Every wire type of the labtrack server API (`<base_url>labtrack/api/`), as
 * `src/labtrack/server/openapi.yaml` describes it. Field names stay
 * snake_case as on the wire; times are epoch milliseconds.
 */

// -- tags --------------------------------------------------------------------

/**
 * Run tags the frontend reads: MLflow's system tag names where MLflow has one
 * (`src/labtrack/utils/mlflow_tags.py` lists them all).
 */
export namespace RunTags {
  /** The kernel that ran the run: its notebook's live content is stored with it. */
  export const kernelId = 'labtrack.kernel.id';
  export const user = 'mlflow.user';
  export const sourceName = 'mlflow.source.name';
  export const parentRunId = 'mlflow.parentRunId';
  /** The run's Markdown description. */
  export const note = 'mlflow.note.content';
  /** Points a run at its captured notebook version. */
  export const notebookRevision = 'labtrack.notebook.revision';
  /** The notebook's `metadata.labtrack.notebook_id`: it survives renames. */
  export const notebookId = 'labtrack.notebook.id';
  /** JSON list of the models logged in the run (MLflow's `mlflow.log-model.history`). */
  export const loggedModels = 'mlflow.log-model.history';
  /** Names of the registered models with a version from this run. */
  export const registeredModels = 'labtrack.registeredModels';
  /** The run's name, also kept as a tag. */
  export const runName = 'mlflow.runName';

  /**
   * Tags labtrack or MLflow write themselves (names, sources, model
   * histories): the compare view hides them unless asked.
   */
  export const isSystem = (key: string): boolean =>
    key.startsWith('labtrack.') || key.startsWith('mlflow.');
}

/** Experiment tags the frontend reads. */
export namespace ExperimentTags {
  /** `NOTEBOOK` for a notebook's own experiment, which is named after its path. */
  export const type = 'mlflow.experiment.sourceType';
  /** The notebook id of a notebook experiment: renames keep it. */
  export const notebookId = 'labtrack.notebook.id';
}

// -- store and errors --------------------------------------------------------

/** `GET store`: which store the server reads. */
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

// -- experiments -------------------------------------------------------------

/** An experiment as the API serves it. */
export interface IExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted' | string;
  tags: Record<string, string>;
  creation_time: number | null;
  last_update_time: number | null;
  /** Who created it; absent when the server does not track owners. */
  owner?: string | null;
  /** What the caller may do with it (team mode); absent otherwise. */
  my_permission?: Permission | null;
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

// -- runs --------------------------------------------------------------------

/** A run's lifecycle status. */
export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED' | string;

/** Metric values: NaN and the infinities arrive as strings. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** A run's attributes. */
export interface IRunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  user_id: string;
  lifecycle_stage: string;
  artifact_uri: string;
}

/** A run's params, metrics and tags. */
export interface IRunData {
  params: Record<string, string>;
  metrics: Record<string, MetricValue>;
  tags: Record<string, string>;
}

/** `GET runs/{id}`: MLflow's run shape, with the run's logged models. */
export interface IRunDetail {
  info: IRunInfo & { run_uuid?: string };
  data: IRunData;
  /** What the run used (absent from older servers). */
  inputs?: IRunInputs;
  /** What the run produced (absent from older servers). */
  outputs?: IRunOutputs;
  /** The logged models the run produced (only `GET runs/{id}`). */
  logged_models?: ILoggedModel[];
}

// -- datasets and logged models (MLflow 3) ------------------------------------

/** A dataset's record; `source`, `schema` and `profile` are JSON text. */
export interface IDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

/** One dataset a run used, with the tags of that use (`mlflow.data.context`). */
export interface IDatasetInput {
  dataset: IDataset;
  tags: { key: string; value: string }[];
}

export interface IRunInputs {
  dataset_inputs: IDatasetInput[];
  model_inputs: { model_id: string }[];
}

export interface IRunOutputs {
  model_outputs: { model_id: string; step: number }[];
}

/** A metric point linked to a logged model. */
export interface ILoggedModelMetric {
  key: string;
  value: MetricValue;
  timestamp: number;
  step: number;
  run_id: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** A logged model (`GET logged-models/{id}`; `step` only with a run). */
export interface ILoggedModel {
  model_id: string;
  name: string;
  experiment_id: string;
  artifact_location: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  model_type: string | null;
  source_run_id: string | null;
  status: 'UNSPECIFIED' | 'PENDING' | 'READY' | 'FAILED';
  status_message: string | null;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: ILoggedModelMetric[];
  step?: number;
}

/**
 * One row of `GET runs`: the attributes flat, then params, metrics and tags
 * (only the requested columns, and the tags the sidebar always needs).
 */
export interface IRunRow extends IRunInfo, IRunData {}

/** Every key of each kind in the searched experiments (or compared runs). */
export interface IRunKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

/** The kinds of keyed columns. */
export type ColumnKind = keyof IRunKeys;

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

/** `GET compare`. */
export interface ICompareReply {
  runs: IRunDetail[];
  keys: IRunKeys;
  differing: IRunKeys;
}

// -- metric histories ----------------------------------------------------------

/** One point of a metric series. */
export interface IPoint {
  step: number;
  timestamp: number;
  value: MetricValue;
}

/** A metric's history, downsampled (each bucket keeps its minimum and maximum). */
export interface ISeries {
  total: number;
  downsampled: boolean;
  points: IPoint[];
}

/** `GET runs/{id}/metrics/{key}`. */
export interface IMetricHistory extends ISeries {
  run_id: string;
  key: string;
}

/** One entry of `GET metrics-bulk`. */
export interface IBulkSeries extends IMetricHistory {
  run_name: string;
}

/** `GET metrics-bulk`. */
export interface IBulkReply {
  series: IBulkSeries[];
}

// -- artifacts -----------------------------------------------------------------

/** One entry of `GET runs/{id}/artifacts`. */
export interface IArtifactFile {
  path: string;
  is_dir: boolean;
  /** Absent (or null) for folders. */
  file_size?: number | null;
}

/** `GET runs/{id}/artifacts`. */
export interface IArtifactList {
  path: string;
  files: IArtifactFile[];
}

// -- notebooks -------------------------------------------------------------------

/** A captured notebook (nbformat 4 JSON), only what the preview reads. */
export interface INotebookJSON {
  cells: { cell_type: string; source: string | string[] }[];
}

/** `GET runs/{id}/notebook/diff`: both versions, nbdime's diff and its text. */
export interface INotebookDiff {
  base?: INotebookJSON;
  remote?: INotebookJSON;
  diff: unknown[];
  text: string;
}

/** `POST runs/{id}/notebook/restore`: the new notebook's root-relative path. */
export interface IRestoredNotebook {
  path: string;
}

// -- model registry ----------------------------------------------------------------

/** The stages a version can be moved to, in the order the UI offers them. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];

export interface IModelVersion {
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string | null;
  current_stage: Stage | string;
  description: string | null;
  /** `runs:/<run_id>/<path>` for a version made from a run. */
  source: string;
  run_id: string | null;
  status: string;
  status_message: string | null;
  tags: Record<string, string>;
  aliases: string[];
  /** The logged model (MLflow 3) the version was registered from. */
  model_id?: string | null;
}

export interface IRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string | null;
  /** The latest version of each stage. */
  latest_versions: IModelVersion[];
  tags: Record<string, string>;
  /** alias -> version number */
  aliases: Record<string, number>;
  /** Who created it; absent when the server does not track owners. */
  owner?: string | null;
  /** What the caller may do with it (team mode); absent otherwise. */
  my_permission?: Permission | null;
}

/** `GET registered-models`. */
export interface IModelList {
  registered_models: IRegisteredModel[];
  next_page_token: string | null;
}

/** `GET registered-models/{name}/versions`. */
export interface IVersionList {
  model_versions: IModelVersion[];
  next_page_token: string | null;
}

/** One stage change of a version. */
export interface ITransition {
  name?: string;
  version?: number;
  from_stage: string;
  to_stage: string;
  user_id: string | null;
  timestamp: number;
}

/** `GET registered-models/{name}/versions/{version}/transitions`. */
export interface ITransitionList {
  transitions: ITransition[];
}

// -- serving -----------------------------------------------------------------------

/** One endpoint of a served model: `ref` is a version, stage, `latest` or alias. */
export interface IEndpoint {
  ref: string;
  version: number;
  /** Path from the server's root, e.g. `/labtrack/serving/m/Production/invocations`. */
  url: string;
}

export type ServingState =
  'stopped' | 'starting' | 'ready' | 'restarting' | 'stopping';

/** `GET|PUT registered-models/{name}/serving`. */
export interface IServingStatus {
  name: string;
  enabled: boolean;
  state: ServingState | string;
  pid: number | null;
  restarts: number;
  last_exit_code: number | null;
  log_tail: string | null;
  versions: {
    version: number;
    current_stage: string;
    aliases: string[];
    loaded: boolean;
    error: string | null;
    url: string;
  }[];
  endpoints: IEndpoint[];
}

/** One endpoint's counts in `GET registered-models/{name}/serving/metrics`. */
export interface IEndpointMetrics {
  /** The ref requests named: a version, a stage, `latest`, an alias. */
  ref: string;
  requests: number;
  /** Requests answered with HTTP 400 or more. */
  errors: number;
  /** Percentiles of the last `window` requests; null before the first. */
  latency_ms: {
    p50: number;
    p90: number;
    p99: number;
    max: number;
    window: number;
  } | null;
  /** Newest first. */
  last_errors: { time: number; status: number; message: string }[];
}

/** `GET registered-models/{name}/serving/metrics`. */
export interface IServingMetrics {
  name: string;
  state: string;
  pid: number | null;
  /** When the process started counting (ms); null while it is not ready. */
  since: number | null;
  endpoints: IEndpointMetrics[];
  /** The last lines of the model process's output. */
  log: string;
}

/** The answer of a test request to a model endpoint. */
export interface IInvocationReply {
  status: number;
  ok: boolean;
  /** The body: pretty JSON when it is JSON, else the text. */
  text: string;
}

// -- reproduce -----------------------------------------------------------------------

/** A name the notebook's `parameters` cell assigns, with the value a reproduction would use. */
export interface IReproduceParameter {
  name: string;
  /** The value as JSON. */
  value: unknown;
  /** The value as the dialog edits it: a string as is, else a Python literal. */
  text: string;
  /** The kind of the cell's default: what a new value must be. */
  kind: 'number' | 'str' | 'bool' | 'none' | 'literal';
  /** The cell's default, as text. */
  default: string;
}

/** A package whose version differs from the run's (`current` null: not installed). */
export interface IPackageDifference {
  name: string;
  recorded: string;
  current: string | null;
}

/** `GET runs/{id}/reproduce`. */
export interface IReproduceInfo {
  run_id: string;
  notebook: string | null;
  parameters: IReproduceParameter[];
  environment: IPackageDifference[];
}

export type JobState = 'queued' | 'running' | 'finished' | 'failed';

/** One metric of the drift report; a metric missing on one side is null. */
export interface IDriftRow {
  metric: string;
  original: MetricValue | null;
  new: MetricValue | null;
  difference: MetricValue | null;
}

/** Why a reproduction failed: the message, and the failing cell's error. */
export interface IJobError {
  message: string;
  cell_index?: number;
  ename?: string;
  evalue?: string;
  traceback?: string;
}

/** `POST runs/{id}/reproduce` and `GET runs/{id}/reproduce/{job_id}`. */
export interface IReproductionJob {
  job_id: string;
  run_id: string;
  state: JobState;
  params: Record<string, unknown>;
  progress: { done: number; total: number };
  created: number;
  started: number | null;
  finished: number | null;
  new_run_id: string | null;
  status: string | null;
  parameters: Record<string, unknown> | null;
  drift: IDriftRow[];
  environment: IPackageDifference[];
  error: IJobError | null;
}

// -- permissions (team mode) -----------------------------------------------

/** What a grant allows, weakest first: MANAGE includes EDIT includes READ. */
export type Permission = 'READ' | 'EDIT' | 'MANAGE';

/** A grant goes to one user or to a JupyterHub group. */
export type PrincipalKind = 'user' | 'group';

export interface IGrant {
  principal_kind: PrincipalKind;
  principal: string;
  permission: Permission;
}

/** `GET experiments/{id}/permissions` and `registered-models/{name}/permissions`. */
export interface IPermissions {
  owner: string | null;
  grants: IGrant[];
  my_permission: Permission | null;
}

/** `GET whoami`: the caller, and whether the server checks permissions. */
export interface IWhoami {
  name: string;
  groups: string[];
  admin: boolean;
  permissions_enabled: boolean;
}
