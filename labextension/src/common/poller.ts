/**
 * The one poller of the frontend: the sidebar, the run page, the Serving tab
 * and reproductions all poll through it.
 *
 * Lumino's `Poll` was weighed and left: a refresh while its factory runs
 * starts a second request at once (the first one's answer is dropped), an
 * interval of 0 means "as fast as possible" rather than "off", and its first
 * tick comes a macrotask after `start()`. The sidebar relies on the
 * opposite of each.
 */
import { IDisposable } from '@lumino/disposable';

/**
 * Runs an async tick now and then every `interval` ms while started, one at a
 * time: a tick asked for while one runs (`kick()`) follows it at once. A tick
 * may call `stop()` (a run that ended): nothing is scheduled after it. After
 * `stop()` or `dispose()` the tick in flight finishes, and the owner ignores
 * its answer (see `isDisposed`).
 */
export class Poller implements IDisposable {
  constructor(tick: () => Promise<void>, interval: number) {
    this._tick = tick;
    this._interval = Math.max(0, interval);
  }

  /** Milliseconds between ticks while started; 0 ticks only when kicked. */
  get interval(): number {
    return this._interval;
  }

  set interval(value: number) {
    this._interval = Math.max(0, value);
    if (this._started) {
      this._schedule();
    }
  }

  get started(): boolean {
    return this._started;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Tick now, then on schedule; with `now` false, the first tick comes after
   * one interval. A second start does nothing.
   */
  start(now = true): void {
    if (this._isDisposed || this._started) {
      return;
    }
    this._started = true;
    if (now) {
      this.kick();
    } else {
      this._schedule();
    }
  }

  stop(): void {
    this._started = false;
    this._clearTimer();
  }

  /** Tick now (if started), then on schedule. */
  kick(): void {
    if (!this._started || this._isDisposed) {
      return;
    }
    this._clearTimer();
    if (this._ticking) {
      this._again = true;
      return;
    }
    this._ticking = true;
    void this._tick()
      .catch(reason => console.error('labtrack: poll failed', reason))
      .then(() => {
        this._ticking = false;
        if (this._again) {
          this._again = false;
          this.kick();
        } else {
          this._schedule();
        }
      });
  }

  dispose(): void {
    this._isDisposed = true;
    this.stop();
  }

  private _schedule(): void {
    this._clearTimer();
    if (!this._started || this._interval <= 0 || this._isDisposed) {
      return;
    }
    if (this._ticking) {
      return; // The running tick schedules the next one.
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this.kick();
    }, this._interval);
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _tick: () => Promise<void>;
  private _interval: number;
  private _started = false;
  private _ticking = false;
  private _again = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _isDisposed = false;
}

/**
 * Longest wait for a poll's answer: a request that hangs (a stuck proxy, a
 * server blocked on a lock) must not stop the polling for good.
 */
export const POLL_TIMEOUT_MS = 20_000;

/** Request options that give up after `POLL_TIMEOUT_MS`. */
export function pollInit(): RequestInit {
  return typeof AbortSignal !== 'undefined' && 'timeout' in AbortSignal
    ? { signal: AbortSignal.timeout(POLL_TIMEOUT_MS) }
    : {};
}
