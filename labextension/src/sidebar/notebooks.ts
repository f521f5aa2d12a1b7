import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { UUID } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';

import type { SidebarState } from './state';
import type { INotebookRef, INotebookSource } from './types';

/** Where the notebook id lives: `metadata.labtrack.notebook_id`. */
export const METADATA_KEY = 'labtrack';

/** The notebook id of a notebook, or null when it has none. */
export function notebookIdOf(panel: NotebookPanel): string | null {
  const meta = panel.context.model?.getMetadata(METADATA_KEY) as
    { notebook_id?: unknown } | undefined;
  const id = meta?.notebook_id;
  return typeof id === 'string' && id ? id : null;
}

/**
 * Give a notebook a `metadata.labtrack.notebook_id` (a UUID) if it has none,
 * so its identity survives renames. Like any edit, it marks the notebook
 * dirty; the id is written with the next save.
 */
export function ensureNotebookId(panel: NotebookPanel): string | null {
  // JupyterLab's document model of the notebook.
  const document = panel.context.model;
  if (!document) {
    return null;
  }
  const existing = notebookIdOf(panel);
  if (existing) {
    return existing;
  }
  const meta = document.getMetadata(METADATA_KEY);
  const value =
    meta && typeof meta === 'object' && !Array.isArray(meta) ? meta : {};
  const id = UUID.uuid4();
  document.setMetadata(METADATA_KEY, { ...value, notebook_id: id });
  document.dirty = true;
  return id;
}

/** The sidebar's view of a notebook panel. */
export function notebookRef(panel: NotebookPanel): INotebookRef {
  return {
    path: panel.context.path,
    notebookId: notebookIdOf(panel),
    kernelId: panel.sessionContext.session?.kernel?.id ?? null
  };
}

/**
 * Connects JupyterLab's (or Notebook 7's) notebook tracker to the sidebar's
 * state: the active notebook (its path, id and kernel) follows focus,
 * renames and kernel restarts; every notebook seen gets a notebook id; and
 * the state finds the live notebook of a kernel through `findByKernel`.
 */
export class NotebookWatcher implements INotebookSource, IDisposable {
  constructor(tracker: INotebookTracker, state: SidebarState) {
    this._tracker = tracker;
    this._state = state;
    tracker.forEach(panel => this._watch(panel));
    tracker.widgetAdded.connect(this._onAdded, this);
    tracker.currentChanged.connect(this._onCurrentChanged, this);
    state.notebookSource = this;
    this._onCurrentChanged();
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  findByKernel(kernelId: string): { path: string; toJSON(): unknown } | null {
    const panel = this._tracker.find(
      p => p.sessionContext.session?.kernel?.id === kernelId
    );
    if (!panel || !panel.context.model) {
      return null;
    }
    return {
      path: panel.context.path,
      toJSON: () => panel.context.model.toJSON()
    };
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._tracker.widgetAdded.disconnect(this._onAdded, this);
    this._tracker.currentChanged.disconnect(this._onCurrentChanged, this);
    this._unfollow();
    this._state.notebookSource = null;
  }

  private _onAdded(_: unknown, panel: NotebookPanel): void {
    this._watch(panel);
  }

  private _watch(panel: NotebookPanel): void {
    void panel.context.ready.then(() => {
      if (panel.isDisposed) {
        return;
      }
      ensureNotebookId(panel);
      if (panel === this._tracker.currentWidget) {
        this._update();
      }
    });
  }

  private _onCurrentChanged(): void {
    this._unfollow();
    const panel = this._tracker.currentWidget;
    this._current = panel;
    if (panel) {
      panel.context.pathChanged.connect(this._update, this);
      panel.sessionContext.kernelChanged.connect(this._update, this);
      panel.sessionContext.sessionChanged.connect(this._update, this);
      panel.disposed.connect(this._onCurrentChanged, this);
    }
    this._update();
  }

  private _unfollow(): void {
    const panel = this._current;
    if (panel) {
      panel.context.pathChanged.disconnect(this._update, this);
      panel.sessionContext.kernelChanged.disconnect(this._update, this);
      panel.sessionContext.sessionChanged.disconnect(this._update, this);
      panel.disposed.disconnect(this._onCurrentChanged, this);
    }
    this._current = null;
  }

  private _update(): void {
    const panel = this._current;
    if (!panel || panel.isDisposed) {
      this._state.setNotebook(null);
      return;
    }
    if (!panel.context.isReady) {
      return; // `_watch` updates once the notebook is read.
    }
    this._state.setNotebook(notebookRef(panel));
  }

  private _tracker: INotebookTracker;
  private _state: SidebarState;
  private _current: NotebookPanel | null = null;
  private _isDisposed = false;
}
