import type { LabtrackAPI } from '../api/client';
import { type IRunRow, RunTags } from '../api/types';
import { errorMessage, httpStatus } from '../common/errors';
import { pollInit } from '../common/poller';
import type { IFetched, INotebookSource } from './types';

type Phase = 'start' | 'end';

/**
 * Stores the live notebook (unsaved edits and all) as the notebook version of
 * the runs its kernel starts: once when a run is first seen RUNNING, and again
 * when it finishes. A run first seen already finished (a quick cell) gets one
 * version, at its end.
 *
 * Runs are told apart by the tag `labtrack.kernel.id`: only kernels of
 * notebooks open in this page count. Rows that were there before the sidebar
 * looked (a first load, a new query, the next page) are not "new": a run
 * already RUNNING then gets only its end version.
 */
export class NotebookSnapshots {
  constructor(options: NotebookSnapshots.IOptions) {
    this._api = options.api;
    this._source = options.source ?? null;
  }

  /** The notebooks' source; may be set once the notebook tracker is known. */
  set source(value: INotebookSource | null) {
    this._source = value;
  }

  /** Versions stored so far, newest last (for tests and diagnostics). */
  get stored(): ReadonlyArray<{ runId: string; phase: Phase }> {
    return this._stored;
  }

  /** The last failure to store a version, if any. */
  get lastError(): string | null {
    return this._lastError;
  }

  /** Look at freshly fetched rows (connect to `RunsState.fetched`). */
  observe(fetched: IFetched): void {
    const baseline = fetched.reason !== 'poll';
    for (const row of fetched.rows) {
      this._observeRow(row, baseline);
    }
  }

  /**
   * Check runs waiting for their end version that the table no longer shows
   * (another experiment, a filter): one `GET runs/{id}` each.
   */
  async poll(visible: ReadonlySet<string>): Promise<void> {
    const waiting = [...this._running.keys()].filter(id => !visible.has(id));
    for (const runId of waiting) {
      try {
        const run = await this._api.runs.get(runId, pollInit());
        if (run.info.status !== 'RUNNING') {
          await this._finish(runId);
        }
      } catch (reason) {
        if (httpStatus(reason) === 404) {
          this._running.delete(runId);
        }
      }
    }
  }

  private _observeRow(row: IRunRow, baseline: boolean): void {
    const runId = row.run_id;
    const running = row.status === 'RUNNING';
    if (this._running.has(runId)) {
      if (!running) {
        void this._finish(runId);
      }
      return;
    }
    if (this._seen.has(runId)) {
      return;
    }
    this._seen.add(runId);
    const kernelId = row.tags?.[RunTags.kernelId];
    if (!kernelId || !this._source?.findByKernel(kernelId)) {
      return;
    }
    if (running) {
      this._running.set(runId, kernelId);
      if (!baseline) {
        void this._put(runId, kernelId, 'start');
      }
    } else if (!baseline) {
      void this._put(runId, kernelId, 'end');
    }
  }

  private async _finish(runId: string): Promise<void> {
    const kernelId = this._running.get(runId);
    this._running.delete(runId);
    if (kernelId !== undefined) {
      await this._put(runId, kernelId, 'end');
    }
  }

  private async _put(
    runId: string,
    kernelId: string,
    phase: Phase
  ): Promise<void> {
    const notebook = this._source?.findByKernel(kernelId);
    if (!notebook) {
      return; // Closed (or its kernel changed) since the run started.
    }
    try {
      await this._api.notebooks.store(runId, notebook.path, notebook.toJSON());
      this._stored.push({ runId, phase });
      this._lastError = null;
    } catch (reason) {
      this._lastError = errorMessage(reason);
      console.warn(
        `labtrack: cannot store the notebook of run ${runId}:`,
        this._lastError
      );
    }
  }

  private _api: LabtrackAPI;
  private _source: INotebookSource | null;
  private _seen = new Set<string>();
  /** Runs seen RUNNING in a notebook of this page: run id -> kernel id. */
  private _running = new Map<string, string>();
  private _stored: Array<{ runId: string; phase: Phase }> = [];
  private _lastError: string | null = null;
}

export namespace NotebookSnapshots {
  export interface IOptions {
    api: LabtrackAPI;
    source?: INotebookSource | null;
  }
}
