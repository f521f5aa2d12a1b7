/**
 * Captured notebook versions as read-only documents: a Contents drive named
 * `labtrack-version`. `labtrack-version:<run id>/<title>` reads the run's
 * version from `GET runs/{id}/notebook`; everything that would write refuses.
 * The last path segment is only the tab's title ("demo.ipynb @ run owl").
 */
import type { Contents, ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { notebookPath } from '../api/notebooks';
import { apiUrl } from '../api/request';

export const VERSION_DRIVE = 'labtrack-version';

export const READ_ONLY_MESSAGE =
  'This is a captured notebook version: it is read-only. ' +
  'Use "Restore as a new notebook" on the run page to get an editable copy.';

/** The tab title of a run's version: `demo.ipynb @ run bright-owl`. */
export function versionTitle(source: string, runName: string): string {
  const notebook = source.split('/').pop() || 'notebook.ipynb';
  // '/', '\' and ':' would split the path or be taken for a drive.
  return `${notebook} @ run ${runName}`.replace(/[/\\:]/g, '_');
}

/** The drive path (with the drive's name) that opens a run's version. */
export function versionPath(
  runId: string,
  source: string,
  runName: string
): string {
  return `${VERSION_DRIVE}:${encodeURIComponent(runId)}/${versionTitle(source, runName)}`;
}

/** The run id of a drive-local path `<run id>/<title>`; throws when there is none. */
export function runIdOf(localPath: string): string {
  const [first, ...rest] = localPath.split('/');
  if (!first || rest.length !== 1) {
    throw new Error(
      `Not a captured notebook version: "${localPath}" (expected <run id>/<title>).`
    );
  }
  return decodeURIComponent(first);
}

/** A notebook whose cells are marked not editable and not deletable. */
export function readOnlyNotebook(nb: any): any {
  return {
    ...nb,
    cells: (nb.cells ?? []).map((cell: any) => ({
      ...cell,
      metadata: { ...(cell.metadata ?? {}), editable: false, deletable: false }
    }))
  };
}

/** Reads a run's notebook version (`LabtrackAPI.notebooks.get` in the app). */
export type NotebookFetcher = (runId: string) => Promise<any>;

export class VersionDrive implements Contents.IDrive {
  constructor(
    private readonly _fetch: NotebookFetcher,
    readonly serverSettings: ServerConnection.ISettings
  ) {}

  readonly name = VERSION_DRIVE;

  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (!this._isDisposed) {
      this._isDisposed = true;
      Signal.clearData(this);
    }
  }

  async get(localPath: string): Promise<Contents.IModel> {
    const runId = runIdOf(localPath);
    const notebook = readOnlyNotebook(await this._fetch(runId));
    const now = new Date().toISOString();
    return {
      name: localPath.split('/').pop() as string,
      path: localPath,
      type: 'notebook',
      format: 'json',
      mimetype: 'application/x-ipynb+json',
      writable: false,
      created: now,
      last_modified: now,
      content: notebook
    };
  }

  async getDownloadUrl(localPath: string): Promise<string> {
    return apiUrl(notebookPath(runIdOf(localPath)), this.serverSettings);
  }

  async listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return [];
  }

  newUntitled(): Promise<Contents.IModel> {
    return this._refuse();
  }
  delete(): Promise<void> {
    return this._refuse();
  }
  rename(): Promise<Contents.IModel> {
    return this._refuse();
  }
  save(): Promise<Contents.IModel> {
    return this._refuse();
  }
  copy(): Promise<Contents.IModel> {
    return this._refuse();
  }
  createCheckpoint(): Promise<Contents.ICheckpointModel> {
    return this._refuse();
  }
  restoreCheckpoint(): Promise<void> {
    return this._refuse();
  }
  deleteCheckpoint(): Promise<void> {
    return this._refuse();
  }

  private _refuse<T>(): Promise<T> {
    return Promise.reject(new Error(READ_ONLY_MESSAGE));
  }

  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _isDisposed = false;
}
