/**
 * Logged models (MLflow 3): one model, and its files, which live with the
 * model rather than in a run's artifacts. A run's models come with the run.
 */
import type { IArtifactList, ILoggedModel } from './types';
import type { ITransport } from './transport';

const q = encodeURIComponent;
const model = (modelId: string): string => `logged-models/${q(modelId)}`;
const file = (modelId: string, path: string): string =>
  `${model(modelId)}/artifacts/file?path=${q(path)}`;

export class LoggedModelsAPI {
  constructor(private readonly _transport: ITransport) {}

  get(modelId: string): Promise<ILoggedModel> {
    return this._transport.request<ILoggedModel>(model(modelId));
  }

  /** One folder level of the model's files. */
  artifacts(modelId: string, path = ''): Promise<IArtifactList> {
    return this._transport.request<IArtifactList>(
      `${model(modelId)}/artifacts?path=${q(path)}`
    );
  }

  /** A file as JSON when it is JSON, else as text. */
  artifactText(modelId: string, path: string): Promise<unknown> {
    return this._transport.request<unknown>(file(modelId, path));
  }

  /** A file's bytes (`download`: sent as an attachment). */
  artifactBlob(modelId: string, path: string, download = false): Promise<Blob> {
    return this._transport.blob(
      `${file(modelId, path)}${download ? '&download=1' : ''}`
    );
  }
}
