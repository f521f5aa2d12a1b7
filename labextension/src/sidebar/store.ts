import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackAPI } from '../api/client';
import type { IStoreInfo } from '../api/types';
import { errorMessage } from '../common/errors';
import { pollInit } from '../common/poller';

/** Which store the server reads (`GET store`): asked once, and on refresh. */
export class StoreState {
  constructor(options: { api: LabtrackAPI }) {
    this._api = options.api;
  }

  /** Emitted when `info`, `error` or `loading` change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The store; null until the first successful fetch. */
  get info(): IStoreInfo | null {
    return this._info;
  }

  /** The last fetch's error message, or null when it succeeded. */
  get error(): string | null {
    return this._error;
  }

  /** True until the first fetch settles. */
  get loading(): boolean {
    return this._loading;
  }

  async fetch(): Promise<void> {
    let info = this._info;
    let error: string | null = null;
    try {
      info = await this._api.store.get(pollInit());
    } catch (reason) {
      error = errorMessage(reason);
    }
    const changed =
      this._loading ||
      error !== this._error ||
      JSON.stringify(info) !== JSON.stringify(this._info);
    this._info = info;
    this._error = error;
    this._loading = false;
    if (changed) {
      this._changed.emit();
    }
  }

  private _api: LabtrackAPI;
  private _info: IStoreInfo | null = null;
  private _error: string | null = null;
  private _loading = true;
  private _changed = new Signal<this, void>(this);
}
