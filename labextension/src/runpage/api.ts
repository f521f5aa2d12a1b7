/**
 * Calls of the run page and compare view. JSON goes through `requestAPI`;
 * binary files (images, downloads) need the bytes, which `requestAPI` turns
 * into text, so they go through ServerConnection with the same settings (and
 * so the same token).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, requestAPI } from '../handler';
import {
  IArtifactList,
  IBulkReply,
  ICompareReply,
  INotebookJSON,
  IRunDetail,
  ISeriesReply
} from './types';

const q = encodeURIComponent;
const run = (runId: string): string => `runs/${q(runId)}`;

export const MAX_POINTS = 1000;

export const getRun = (runId: string): Promise<IRunDetail> =>
  requestAPI<IRunDetail>(run(runId));

export const patchRun = (
  runId: string,
  body: {
    name?: string;
    description?: string;
    tags?: Record<string, string>;
    delete_tags?: string[];
  }
): Promise<IRunDetail> =>
  requestAPI<IRunDetail>(run(runId), {
    method: 'PATCH',
    body: JSON.stringify(body)
  });

export const getSeries = (
  runId: string,
  key: string,
  maxPoints = MAX_POINTS
): Promise<ISeriesReply> =>
  requestAPI<ISeriesReply>(
    `${run(runId)}/metrics/${q(key)}?max_points=${maxPoints}`
  );

export const getBulk = (
  runIds: string[],
  keys: string[],
  maxPoints = 500
): Promise<IBulkReply> =>
  requestAPI<IBulkReply>(
    `metrics-bulk?keys=${q(keys.join(','))}&run_ids=${q(runIds.join(','))}&max_points=${maxPoints}`
  );

export const listArtifacts = (
  runId: string,
  path = ''
): Promise<IArtifactList> =>
  requestAPI<IArtifactList>(`${run(runId)}/artifacts?path=${q(path)}`);

export const artifactText = (runId: string, path: string): Promise<unknown> =>
  requestAPI<unknown>(`${run(runId)}/artifacts/file?path=${q(path)}`);

export const getNotebook = (runId: string): Promise<INotebookJSON> =>
  requestAPI<INotebookJSON>(`${run(runId)}/notebook`);

export const compareRuns = (runIds: string[]): Promise<ICompareReply> =>
  requestAPI<ICompareReply>(`compare?run_ids=${q(runIds.join(','))}`);

/** An artifact's bytes as a Blob (token sent as for every other call). */
export async function artifactBlob(
  runId: string,
  path: string,
  download = false
): Promise<Blob> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(
    settings.baseUrl,
    API_NAMESPACE,
    `${run(runId)}/artifacts/file?path=${q(path)}${download ? '&download=1' : ''}`
  );
  const response = await ServerConnection.makeRequest(url, {}, settings);
  if (!response.ok) {
    throw new ServerConnection.ResponseError(response);
  }
  return response.blob();
}

/** Download an artifact: fetch it with the token, then click a Blob link. */
export async function downloadArtifact(
  runId: string,
  path: string
): Promise<void> {
  const blob = await artifactBlob(runId, path, true);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = path.split('/').pop() || 'artifact';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** `GET runs/{id}/notebook/diff?other=`: nbdime's diff and its text form. */
export const notebookDiff = (
  runId: string,
  other: string
): Promise<{ diff: unknown; text: string }> =>
  requestAPI<{ diff: unknown; text: string }>(
    `${run(runId)}/notebook/diff?other=${q(other)}`
  );

/** The runs whose parent is `runId` (tag `labtrack.parentRunId`), newest first. */
export async function childRuns(
  experimentId: string,
  runId: string
): Promise<{ run_id: string; run_name: string }[]> {
  const filter = `tags.\`labtrack.parentRunId\` = '${runId.replace(/'/g, "''")}'`;
  const reply = await requestAPI<{
    runs: { run_id: string; run_name: string }[];
  }>(
    `runs?experiment_id=${q(experimentId)}&filter=${q(filter)}&max_results=100`
  );
  return reply.runs;
}

/** `GET runs/{id}/notebook/diff?path=`: the run's version against a notebook on disk. */
export const notebookDiffWithFile = (
  runId: string,
  path: string
): Promise<{ diff: unknown[]; text: string }> =>
  requestAPI<{ diff: unknown[]; text: string }>(
    `${run(runId)}/notebook/diff?path=${q(path)}`
  );

/** `POST runs/{id}/notebook/restore`: the version as a new notebook; its path. */
export const restoreNotebook = (
  runId: string,
  path?: string
): Promise<{ path: string }> =>
  requestAPI<{ path: string }>(`${run(runId)}/notebook/restore`, {
    method: 'POST',
    body: JSON.stringify(path ? { path } : {})
  });
