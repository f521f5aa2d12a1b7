/** Run notebook versions: `runs/{id}/notebook`, its diff and its restore. */
import { type ITransport, jsonInit, q } from './transport';
import type { INotebookDiff, INotebookJSON, IRestoredNotebook } from './types';

/** The endpoint of a run's notebook version (below `labtrack/api/`). */
export const notebookPath = (runId: string): string =>
  `runs/${q(runId)}/notebook`;

export class NotebooksAPI {
  constructor(private readonly _transport: ITransport) {}

  /** The run's captured notebook version (nbformat JSON). */
  get(runId: string): Promise<INotebookJSON> {
    return this._transport.request<INotebookJSON>(notebookPath(runId));
  }

  /** Store a live notebook (at `path`) as the run's notebook version. */
  store(runId: string, path: string, notebook: unknown): Promise<void> {
    return this._transport.request<void>(
      notebookPath(runId),
      jsonInit('PUT', { path, notebook })
    );
  }

  /** The run's version against another run's version. */
  diff(runId: string, other: string): Promise<INotebookDiff> {
    return this._transport.request<INotebookDiff>(
      `${notebookPath(runId)}/diff?other=${q(other)}`
    );
  }

  /** The run's version against a notebook on disk (root-relative `path`). */
  diffWithFile(runId: string, path: string): Promise<INotebookDiff> {
    return this._transport.request<INotebookDiff>(
      `${notebookPath(runId)}/diff?path=${q(path)}`
    );
  }

  /** The version as a new notebook next to its source (or `path`). */
  restore(runId: string, path?: string): Promise<IRestoredNotebook> {
    return this._transport.request<IRestoredNotebook>(
      `${notebookPath(runId)}/restore`,
      jsonInit('POST', path ? { path } : {})
    );
  }
}
