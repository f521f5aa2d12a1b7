/**
 * Runs: search and CSV, the change marker, one run, its metric histories
 * and artifacts, and several runs side by side.
 */
import { type ITransport, jsonInit, q } from './transport';
import {
  type IArtifactList,
  type IBulkReply,
  type IChangesReply,
  type ICompareReply,
  type IMetricHistory,
  type IRunDetail,
  type IRunRow,
  type IRunsReply,
  RunTags
} from './types';

/** Points asked for per metric history (the server keeps min and max per bucket). */
export const MAX_POINTS = 1000;

/** What `PATCH runs/{id}` changes. */
export interface IRunUpdate {
  name?: string;
  /** Markdown, stored in the tag `mlflow.note.content`. */
  description?: string;
  tags?: Record<string, string>;
  delete_tags?: string[];
}

const run = (runId: string): string => `runs/${q(runId)}`;
const artifactFile = (runId: string, path: string): string =>
  `${run(runId)}/artifacts/file?path=${q(path)}`;

export class RunsAPI {
  constructor(private readonly _transport: ITransport) {}

  /** `GET runs?<query>`: a page of runs, the keys in use and the change marker. */
  search(query: string): Promise<IRunsReply> {
    return this._transport.request<IRunsReply>(`runs?${query}`);
  }

  /** `GET runs.csv?<query>`: every run the query matches, as CSV text. */
  async csv(query: string): Promise<string> {
    return String(await this._transport.request<string>(`runs.csv?${query}`));
  }

  /** Whether anything in the experiment changed since the marker. */
  changes(
    since: string,
    experimentId: string,
    init?: RequestInit
  ): Promise<IChangesReply> {
    return this._transport.request<IChangesReply>(
      `changes?${new URLSearchParams({ since, experiment_id: experimentId })}`,
      init
    );
  }

  get(runId: string, init?: RequestInit): Promise<IRunDetail> {
    return this._transport.request<IRunDetail>(run(runId), init);
  }

  update(runId: string, body: IRunUpdate): Promise<IRunDetail> {
    return this._transport.request<IRunDetail>(
      run(runId),
      jsonInit('PATCH', body)
    );
  }

  /** The runs whose parent is `runId` (tag `mlflow.parentRunId`), newest first. */
  async children(experimentId: string, runId: string): Promise<IRunRow[]> {
    const filter = `tags.\`${RunTags.parentRunId}\` = '${runId.replace(/'/g, "''")}'`;
    const reply = await this._transport.request<IRunsReply>(
      `runs?experiment_id=${q(experimentId)}&filter=${q(filter)}&max_results=100`
    );
    return reply.runs;
  }

  /** A metric's history, at most `maxPoints` points. */
  history(
    runId: string,
    key: string,
    maxPoints = MAX_POINTS
  ): Promise<IMetricHistory> {
    return this._transport.request<IMetricHistory>(
      `${run(runId)}/metrics/${q(key)}?max_points=${maxPoints}`
    );
  }

  /** Several metrics of several runs, for overlaid charts. */
  bulk(runIds: string[], keys: string[], maxPoints = 500): Promise<IBulkReply> {
    return this._transport.request<IBulkReply>(
      `metrics-bulk?keys=${q(keys.join(','))}&run_ids=${q(runIds.join(','))}&max_points=${maxPoints}`
    );
  }

  /** Params, metrics and tags of several runs, with the keys whose values differ. */
  compare(runIds: string[]): Promise<ICompareReply> {
    return this._transport.request<ICompareReply>(
      `compare?run_ids=${q(runIds.join(','))}`
    );
  }

  /** One folder level of the run's artifacts. */
  artifacts(runId: string, path = ''): Promise<IArtifactList> {
    return this._transport.request<IArtifactList>(
      `${run(runId)}/artifacts?path=${q(path)}`
    );
  }

  /** An artifact as JSON when it is JSON, else as text. */
  artifactText(runId: string, path: string): Promise<unknown> {
    return this._transport.request<unknown>(artifactFile(runId, path));
  }

  /** An artifact's bytes (`download`: sent as an attachment). */
  artifactBlob(runId: string, path: string, download = false): Promise<Blob> {
    return this._transport.blob(
      `${artifactFile(runId, path)}${download ? '&download=1' : ''}`
    );
  }
}
