/** The model registry (`registered-models/...`) and serving. */
import { type IRawReply, type ITransport, jsonInit, q } from './transport';
import type {
  IModelList,
  IModelVersion,
  IRegisteredModel,
  IServingMetrics,
  IServingStatus,
  ITransitionList,
  IVersionList
} from './types';

const model = (name: string): string => `registered-models/${q(name)}`;
const version = (name: string, v: number): string =>
  `${model(name)}/versions/${v}`;

export class RegistryAPI {
  constructor(private readonly _transport: ITransport) {}

  /** The registered models, by name. */
  list(maxResults = 1000): Promise<IModelList> {
    return this._transport.request<IModelList>(
      `registered-models?max_results=${maxResults}&order_by=${q('name ASC')}`
    );
  }

  get(name: string): Promise<IRegisteredModel> {
    return this._transport.request<IRegisteredModel>(model(name));
  }

  /** Create a registered model; 409 when the name is taken. */
  create(name: string): Promise<IRegisteredModel> {
    return this._transport.request<IRegisteredModel>(
      'registered-models',
      jsonInit('POST', { name })
    );
  }

  update(
    name: string,
    body: { description?: string; name?: string }
  ): Promise<IRegisteredModel> {
    return this._transport.request<IRegisteredModel>(
      model(name),
      jsonInit('PATCH', body)
    );
  }

  versions(name: string): Promise<IVersionList> {
    return this._transport.request<IVersionList>(`${model(name)}/versions`);
  }

  /** A new version of `name` from a run's model folder (the model is created when missing). */
  createVersion(
    name: string,
    runId: string,
    path: string
  ): Promise<IModelVersion> {
    return this._transport.request<IModelVersion>(
      `${model(name)}/versions`,
      jsonInit('POST', { run_id: runId, path })
    );
  }

  version(name: string, v: number): Promise<IModelVersion> {
    return this._transport.request<IModelVersion>(version(name, v));
  }

  /** Set a version's description. */
  updateVersion(
    name: string,
    v: number,
    body: { description: string }
  ): Promise<IModelVersion> {
    return this._transport.request<IModelVersion>(
      version(name, v),
      jsonInit('PATCH', body)
    );
  }

  setStage(
    name: string,
    v: number,
    stage: string,
    archiveExistingVersions: boolean
  ): Promise<IModelVersion> {
    return this._transport.request<IModelVersion>(
      `${version(name, v)}/stage`,
      jsonInit('POST', {
        stage,
        archive_existing_versions: archiveExistingVersions
      })
    );
  }

  transitions(name: string, v: number): Promise<ITransitionList> {
    return this._transport.request<ITransitionList>(
      `${version(name, v)}/transitions`
    );
  }

  setAlias(name: string, alias: string, v: number): Promise<IModelVersion> {
    return this._transport.request<IModelVersion>(
      `${model(name)}/aliases/${q(alias)}`,
      jsonInit('PUT', { version: v })
    );
  }

  deleteAlias(name: string, alias: string): Promise<void> {
    return this._transport.request<void>(`${model(name)}/aliases/${q(alias)}`, {
      method: 'DELETE'
    });
  }

  serving(name: string): Promise<IServingStatus> {
    return this._transport.request<IServingStatus>(`${model(name)}/serving`);
  }

  /** What the model process counted per endpoint, and its log. */
  servingMetrics(name: string): Promise<IServingMetrics> {
    return this._transport.request<IServingMetrics>(
      `${model(name)}/serving/metrics`
    );
  }

  setServing(name: string, enabled: boolean): Promise<IServingStatus> {
    return this._transport.request<IServingStatus>(
      `${model(name)}/serving`,
      jsonInit('PUT', { enabled })
    );
  }

  /** POST a JSON `body` to a model endpoint (a path from the server's root). */
  invoke(path: string, body: string): Promise<IRawReply> {
    return this._transport.fromRoot(path, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' }
    });
  }
}
