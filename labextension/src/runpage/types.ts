/**
 * Wire types of the run page and compare API (`labtrack/api/runs/{id}/...`,
 * `metrics-bulk`, `compare`). Field names stay snake_case as on the wire.
 */
import { MetricValue, RunStatus } from '../tokens';

/** `GET runs/{id}`: MLflow's run shape. */
export interface IRunDetail {
  info: {
    run_id: string;
    run_name: string;
    experiment_id: string;
    status: RunStatus;
    start_time: number | null;
    end_time: number | null;
    user_id: string;
    lifecycle_stage: string;
    artifact_uri: string;
  };
  data: {
    params: Record<string, string>;
    metrics: Record<string, MetricValue>;
    tags: Record<string, string>;
  };
}

/** One point of a metric series. */
export interface IPoint {
  step: number;
  timestamp: number;
  value: MetricValue;
}

/** `GET runs/{id}/metrics/{key}`. */
export interface ISeriesReply {
  run_id?: string;
  key?: string;
  total: number;
  downsampled: boolean;
  points: IPoint[];
}

/** One entry of `GET metrics-bulk`. */
export interface IBulkSeries extends ISeriesReply {
  run_id: string;
  run_name: string;
  key: string;
}

/** `GET metrics-bulk`. */
export interface IBulkReply {
  series: IBulkSeries[];
}

/** One entry of `GET runs/{id}/artifacts`. */
export interface IArtifactFile {
  path: string;
  is_dir: boolean;
  file_size: number | null;
}

/** `GET runs/{id}/artifacts`. */
export interface IArtifactList {
  path: string;
  files: IArtifactFile[];
}

/** `GET compare`. */
export interface ICompareReply {
  runs: IRunDetail[];
  keys: { params: string[]; metrics: string[]; tags: string[] };
  differing: { params: string[]; metrics: string[]; tags: string[] };
}

/** A captured notebook (nbformat 4 JSON), only what the preview reads. */
export interface INotebookJSON {
  cells: { cell_type: string; source: string | string[] }[];
}
