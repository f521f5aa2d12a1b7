/**
 * A reproduction, as the "Reproduce run" dialog drives it: what it would
 * use (params, environment differences), the params as edited, then the
 * job, polled every `POLL_INTERVAL` ms while it is queued or running (a
 * failed poll is retried, but not a job the server no longer knows).
 */
import type { LabtrackAPI } from '../api/client';
import type { IReproduceInfo, IReproductionJob } from '../api/types';
import { errorMessage, httpStatus } from '../common/errors';
import { Poller } from '../common/poller';
import { ViewState } from '../common/viewState';
import { changedParams, isActive, POLL_INTERVAL } from './logic';

export class ReproduceState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly runId: string
  ) {
    super();
    this._poller = new Poller(() => this._poll(), POLL_INTERVAL);
  }

  /** What a reproduction would use; null until fetched. */
  get info(): IReproduceInfo | null {
    return this._info;
  }

  /** The params as edited (name -> text); missing: the value shown first. */
  get drafts(): Readonly<Record<string, string>> {
    return this._drafts;
  }

  /** The started job; null before `start()`. */
  get job(): IReproductionJob | null {
    return this._job;
  }

  get starting(): boolean {
    return this._starting;
  }

  get error(): string | null {
    return this._error;
  }

  /** Whether the job is polled. */
  get isPolling(): boolean {
    return this._poller.started;
  }

  /** Fetch what a reproduction would use. */
  async load(): Promise<void> {
    const outcome = await this.latest('info', () =>
      this._api.reproduce.info(this.runId)
    );
    if (outcome?.ok) {
      this._info = outcome.value;
    } else if (outcome) {
      this._error = outcome.error;
    }
    this.emit();
  }

  edit(name: string, text: string): void {
    this._drafts = { ...this._drafts, [name]: text };
    this.emit();
  }

  /** Start the reproduction with the edited params, then follow the job. */
  async start(): Promise<void> {
    const info = this._info;
    if (!info || this._starting) {
      return;
    }
    this._starting = true;
    this.emit();
    const outcome = await this.latest('start', () =>
      this._api.reproduce.start(
        this.runId,
        changedParams(info.parameters, this._drafts)
      )
    );
    if (outcome?.ok) {
      this._error = null;
      this._setJob(outcome.value);
    } else if (outcome) {
      this._error = outcome.error;
    }
    this._starting = false;
    this.emit();
  }

  /** Stop following the job (the reproduction goes on on the server). */
  dispose(): void {
    this._poller.dispose();
    super.dispose();
  }

  private _setJob(job: IReproductionJob): void {
    this._job = job;
    if (isActive(job.state)) {
      this._poller.start(false);
    } else {
      this._poller.stop();
    }
  }

  private async _poll(): Promise<void> {
    const job = this._job;
    if (!job) {
      return;
    }
    try {
      const next = await this._api.reproduce.job(this.runId, job.job_id);
      if (this.isDisposed) {
        return;
      }
      this._error = null;
      this._setJob(next);
    } catch (reason) {
      if (this.isDisposed) {
        return;
      }
      this._error = errorMessage(reason);
      // A job the server no longer knows: asking again will not help.
      if (httpStatus(reason) === 404) {
        this._poller.stop();
      }
    }
    this.emit();
  }

  private _poller: Poller;
  private _info: IReproduceInfo | null = null;
  private _drafts: Record<string, string> = {};
  private _job: IReproductionJob | null = null;
  private _starting = false;
  private _error: string | null = null;
}
