/**
 * When the run page fetches its run again: every `interval` ms while the run
 * is RUNNING and the page is visible; never after the run ended or the page
 * was disposed (a reply that arrives after that schedules nothing).
 */
import { IRunDetail } from './types';

export const LIVE_INTERVAL = 2000;

export interface IRunPollerOptions {
  /** Fetch the run (`GET runs/{id}`). */
  fetch: () => Promise<IRunDetail>;
  /** Whether the page is shown now. */
  isVisible: () => boolean;
  /** After every fetch: the run, or the error's message. */
  onFetched: (run: IRunDetail | null, error: string | null) => void;
  interval?: number;
}

export class RunPoller {
  constructor(private readonly _options: IRunPollerOptions) {}

  get run(): IRunDetail | null {
    return this._run;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Whether a next fetch is scheduled. */
  get isPolling(): boolean {
    return this._timer !== null;
  }

  /** Fetch now, then schedule the next fetch if the run is live. */
  async refresh(): Promise<void> {
    let error: string | null = null;
    try {
      const run = await this._options.fetch();
      if (this._disposed) {
        return;
      }
      this._run = run;
    } catch (reason: any) {
      error = String(reason?.message ?? reason);
    }
    if (this._disposed) {
      return;
    }
    this._options.onFetched(this._run, error);
    this.schedule();
  }

  /** Schedule the next fetch: only while visible and RUNNING (or not loaded yet). */
  schedule(): void {
    this.stop();
    if (this._disposed || !this._options.isVisible()) {
      return;
    }
    if (this._run && this._run.info.status !== 'RUNNING') {
      return;
    }
    this._timer = setTimeout(
      () => void this.refresh(),
      this._options.interval ?? LIVE_INTERVAL
    );
  }

  stop(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  dispose(): void {
    this._disposed = true;
    this.stop();
  }

  /** Replace the run (after an edit on the page) without fetching. */
  set(run: IRunDetail): void {
    this._run = run;
  }

  private _run: IRunDetail | null = null;
  private _disposed = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
