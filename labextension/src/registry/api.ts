/**
 * Calls of the model registry UI. The REST routes go through `requestAPI`;
 * a test request to a model endpoint (outside `labtrack/api/`) goes through
 * ServerConnection with the same settings, so the same token.
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from '../handler';
import { artifactText, getRun } from '../runpage/api';
import { prettyBody, sourcePath } from './logic';
import {
  IInvocationReply,
  IModelList,
  IModelVersion,
  IRegisteredModel,
  IServingStatus,
  ITransition,
  IVersionList
} from './types';

const q = encodeURIComponent;
const model = (name: string): string => `registered-models/${q(name)}`;
const version = (name: string, v: number): string =>
  `${model(name)}/versions/${v}`;
const json = (method: string, body: unknown): RequestInit => ({
  method,
  body: JSON.stringify(body)
});

export const listModels = (maxResults = 1000): Promise<IModelList> =>
  requestAPI<IModelList>(
    `registered-models?max_results=${maxResults}&order_by=${q('name ASC')}`
  );

export const getModel = (name: string): Promise<IRegisteredModel> =>
  requestAPI<IRegisteredModel>(model(name));

export const patchModel = (
  name: string,
  body: { description?: string; name?: string }
): Promise<IRegisteredModel> =>
  requestAPI<IRegisteredModel>(model(name), json('PATCH', body));

export const listVersions = (name: string): Promise<IVersionList> =>
  requestAPI<IVersionList>(`${model(name)}/versions`);

/** A new version of `name` (the model is created when missing). */
export const createVersion = (
  name: string,
  runId: string,
  path: string
): Promise<IModelVersion> =>
  requestAPI<IModelVersion>(
    `${model(name)}/versions`,
    json('POST', { run_id: runId, path })
  );

/** Create a registered model; 409 when the name is taken. */
export const createModel = (name: string): Promise<IRegisteredModel> =>
  requestAPI<IRegisteredModel>('registered-models', json('POST', { name }));

export const setStage = (
  name: string,
  v: number,
  stage: string,
  archiveExistingVersions: boolean
): Promise<IModelVersion> =>
  requestAPI<IModelVersion>(
    `${version(name, v)}/stage`,
    json('POST', {
      stage,
      archive_existing_versions: archiveExistingVersions
    })
  );

export const getTransitions = (
  name: string,
  v: number
): Promise<{ transitions: ITransition[] }> =>
  requestAPI<{ transitions: ITransition[] }>(`${version(name, v)}/transitions`);

export const setAlias = (
  name: string,
  alias: string,
  v: number
): Promise<IModelVersion> =>
  requestAPI<IModelVersion>(
    `${model(name)}/aliases/${q(alias)}`,
    json('PUT', { version: v })
  );

export const deleteAlias = (name: string, alias: string): Promise<void> =>
  requestAPI<void>(`${model(name)}/aliases/${q(alias)}`, { method: 'DELETE' });

export const getServing = (name: string): Promise<IServingStatus> =>
  requestAPI<IServingStatus>(`${model(name)}/serving`);

export const putServing = (
  name: string,
  enabled: boolean
): Promise<IServingStatus> =>
  requestAPI<IServingStatus>(
    `${model(name)}/serving`,
    json('PUT', { enabled })
  );

/**
 * What the version's model folder says about its input: the saved input
 * example (`input_example.json`) and the `MLmodel` text; null when missing.
 */
export async function modelInputs(
  v: IModelVersion
): Promise<{ example: unknown; mlmodel: string | null }> {
  if (!v.run_id) {
    return { example: null, mlmodel: null };
  }
  const run = await getRun(v.run_id);
  const path = sourcePath(v.source, run.info.artifact_uri);
  if (path === null) {
    return { example: null, mlmodel: null };
  }
  const prefix = path ? `${path}/` : '';
  const [example, mlmodel] = await Promise.all([
    artifactText(v.run_id, `${prefix}input_example.json`).catch(() => null),
    artifactText(v.run_id, `${prefix}MLmodel`).catch(() => null)
  ]);
  return {
    example: typeof example === 'string' ? parseJson(example) : example,
    mlmodel: typeof mlmodel === 'string' ? mlmodel : null
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** POST `body` to a model endpoint (a path from the server's root). */
export async function invokeEndpoint(
  path: string,
  body: string
): Promise<IInvocationReply> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(
    new URL(path, settings.baseUrl).href,
    {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' }
    },
    settings
  );
  const text = await response.text();
  return { status: response.status, ok: response.ok, text: prettyBody(text) };
}
