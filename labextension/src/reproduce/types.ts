/**
 * Wire types of "Reproduce run" (`labtrack/api/runs/{id}/reproduce`).
 * Field names stay snake_case as on the wire.
 */
import { MetricValue } from '../tokens';

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
