import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IStoreInfo, RequestAPI } from './tokens';

/** Default for the `pollInterval` setting, in milliseconds. */
export const DEFAULT_POLL_INTERVAL = 2000;

/**
 * The frontend's state: what the server reports, fetched through one request
 * function and announced through `changed`. Views only read it.
 *
 * Polling runs only while some view is active (`start()`/`stop()`), so a
 * closed sidebar costs nothing.
 */
export class LabtrackModel implements IDisposable {
  constructor(options: LabtrackModel.IOptions) {
    this._request = options.request;
    this._pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
  }

  /** The store the server reads; null until the first successful fetch. */
  get storeInfo(): IStoreInfo | null {
    return this._storeInfo;
  }

  /** The last fetch's error message, or null when it succeeded. */
  get error(): string | null {
    return this._error;
  }

  /** True until the first fetch settles. */
  get loading(): boolean {
    return this._loading;
  }

  /** Emitted when `storeInfo`, `error` or `loading` changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Milliseconds between polls while started; 0 turns polling off. */
  get pollInterval(): number {
    return this._pollInterval;
  }

  set pollInterval(value: number) {
    this._pollInterval = Math.max(0, value);
    if (this._started) {
      this._schedule();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Fetch now, then keep polling every `pollInterval` ms until `stop()`. */
  start(): void {
    if (this._isDisposed || this._started) {
      return;
    }
    this._started = true;
    void this.refresh().then(() => this._schedule());
  }

  /** Stop polling; the last state stays readable. */
  stop(): void {
    this._started = false;
    this._clearTimer();
  }

  /** Fetch the store info once; emits `changed` only when something changed. */
  async refresh(): Promise<void> {
    let info: IStoreInfo | null = this._storeInfo;
    let error: string | null = null;
    try {
      info = await this._request<IStoreInfo>('store');
    } catch (reason) {
      error = reason instanceof Error ? reason.message : String(reason);
    }
    if (this._isDisposed) {
      return;
    }
    const changed =
      this._loading ||
      error !== this._error ||
      JSON.stringify(info) !== JSON.stringify(this._storeInfo);
    this._storeInfo = info;
    this._error = error;
    this._loading = false;
    if (changed) {
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.stop();
    Signal.clearData(this);
  }

  private _schedule(): void {
    this._clearTimer();
    if (!this._started || this._pollInterval <= 0 || this._isDisposed) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh().then(() => this._schedule());
    }, this._pollInterval);
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _request: RequestAPI;
  private _pollInterval: number;
  private _storeInfo: IStoreInfo | null = null;
  private _error: string | null = null;
  private _loading = true;
  private _started = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace LabtrackModel {
  export interface IOptions {
    /** How to reach the server; `requestAPI` in the app, a fake in tests. */
    request: RequestAPI;
    /** Milliseconds between polls while started. */
    pollInterval?: number;
  }
}
