/**
 * A run's artifacts as the run page shows them: folder listings (a folder
 * is listed when opened), the chosen file's preview (text, image, CSV table,
 * notebook cells) and downloads.
 */
import type { LabtrackAPI } from '../api/client';
import type { IArtifactFile, IArtifactList, INotebookJSON } from '../api/types';
import { saveFile } from '../common/download';
import { ViewState } from '../common/viewState';
import { parseCsv, previewKind } from './logic';

/** Rows of a CSV preview, the header not counted. */
export const CSV_ROWS = 200;

/** What the preview shows. */
export type Preview =
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string }
  | { kind: 'csv'; rows: string[][] }
  | { kind: 'notebook'; notebook: INotebookJSON }
  | { kind: 'none' };

/** One folder's listing: null files while it loads. */
export interface IFolder {
  files: IArtifactFile[] | null;
  error: string | null;
}

/** Where the files come from: a run's artifacts or a logged model's files. */
export interface IArtifactSource {
  list(path: string): Promise<IArtifactList>;
  text(path: string): Promise<unknown>;
  blob(path: string, download?: boolean): Promise<Blob>;
}

/** A run's artifacts. */
export function runArtifacts(api: LabtrackAPI, runId: string): IArtifactSource {
  return {
    list: path => api.runs.artifacts(runId, path),
    text: path => api.runs.artifactText(runId, path),
    blob: (path, download) => api.runs.artifactBlob(runId, path, download)
  };
}

/** A logged model's files (MLflow 3 keeps them with the model, not the run). */
export function modelArtifacts(
  api: LabtrackAPI,
  modelId: string
): IArtifactSource {
  return {
    list: path => api.loggedModels.artifacts(modelId, path),
    text: path => api.loggedModels.artifactText(modelId, path),
    blob: (path, download) =>
      api.loggedModels.artifactBlob(modelId, path, download)
  };
}

export class ArtifactsState extends ViewState {
  constructor(private readonly _source: IArtifactSource) {
    super();
  }

  /** The listing of `path` ('' is the top); undefined before it is asked for. */
  folder(path: string): IFolder | undefined {
    return this._folders.get(path);
  }

  isOpen(path: string): boolean {
    return this._open.has(path);
  }

  get selected(): IArtifactFile | null {
    return this._selected;
  }

  /** The selected file's content; null while it loads. */
  get preview(): Preview | null {
    return this._preview;
  }

  get previewError(): string | null {
    return this._previewError;
  }

  /** List a folder ('' for the top). */
  async load(path: string): Promise<void> {
    this._folders.set(path, { files: null, error: null });
    this.emit();
    const outcome = await this.latest(`folder:${path}`, () =>
      this._source.list(path)
    );
    if (outcome) {
      this._folders.set(
        path,
        outcome.ok
          ? { files: outcome.value.files, error: null }
          : { files: null, error: outcome.error }
      );
      this.emit();
    }
  }

  /** Open a folder (listing it again) or close it, and the folders in it. */
  toggle(path: string): void {
    if (this._open.has(path)) {
      for (const open of [...this._open]) {
        if (open === path || open.startsWith(`${path}/`)) {
          this._open.delete(open);
        }
      }
      this.emit();
      return;
    }
    this._open.add(path);
    void this.load(path);
  }

  /** Preview a file (the one shown already: nothing to do). */
  async select(file: IArtifactFile): Promise<void> {
    if (file.path === this._selected?.path) {
      return;
    }
    this._selected = file;
    this._setPreview(null, null);
    const outcome = await this.latest('preview', () =>
      this._content(file.path)
    );
    if (outcome?.ok) {
      const content = outcome.value;
      this._setPreview(
        content.kind === 'image'
          ? { kind: 'image', url: URL.createObjectURL(content.blob) }
          : content,
        null
      );
    } else if (outcome) {
      this._setPreview(null, outcome.error);
    }
  }

  /** Download a file (with the token, through a Blob link). */
  async download(path: string): Promise<void> {
    const blob = await this._source.blob(path, true);
    saveFile(path.split('/').pop() || 'artifact', blob);
  }

  dispose(): void {
    super.dispose();
    this._setPreview(null, null); // frees an image's Blob URL
  }

  /** A file's content; an image as its bytes (its URL is made when shown). */
  private async _content(
    path: string
  ): Promise<
    Exclude<Preview, { kind: 'image' }> | { kind: 'image'; blob: Blob }
  > {
    const kind = previewKind(path);
    if (kind === 'image') {
      return {
        kind,
        blob: await this._source.blob(path)
      };
    }
    if (kind === 'none') {
      return { kind };
    }
    const body = await this._source.text(path);
    if (kind === 'notebook') {
      const notebook =
        typeof body === 'string' ? (JSON.parse(body) as INotebookJSON) : body;
      return { kind, notebook: notebook as INotebookJSON };
    }
    const text =
      typeof body === 'string' ? body : JSON.stringify(body, null, 2);
    if (kind === 'csv') {
      return {
        kind,
        rows: parseCsv(text, CSV_ROWS + 1, path.endsWith('.tsv') ? '\t' : ',')
      };
    }
    return { kind: 'text', text };
  }

  /** Show a new preview; a replaced image's Blob URL is freed. */
  private _setPreview(preview: Preview | null, error: string | null): void {
    if (this._preview?.kind === 'image') {
      URL.revokeObjectURL(this._preview.url);
    }
    this._preview = preview;
    this._previewError = error;
    this.emit();
  }

  private _folders = new Map<string, IFolder>();
  private _open = new Set<string>();
  private _selected: IArtifactFile | null = null;
  private _preview: Preview | null = null;
  private _previewError: string | null = null;
}
