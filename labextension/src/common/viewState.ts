/**
 * The base of the main-area views' state classes: a `changed` signal the
 * view re-renders on, disposal, and answers that only count while they are
 * the latest of their kind.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from './errors';

/** A request's outcome: its value, or the message of its failure. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export abstract class ViewState implements IDisposable {
  /** Emitted when anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Tell the view (not once disposed). */
  protected emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  /**
   * Await `request`; null when a later request of the same `kind` was made
   * meanwhile, or the state was disposed: its answer no longer counts.
   */
  protected async latest<T>(
    kind: string,
    request: () => Promise<T>
  ): Promise<Outcome<T> | null> {
    const generation = (this._generations.get(kind) ?? 0) + 1;
    this._generations.set(kind, generation);
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await request() };
    } catch (reason) {
      outcome = { ok: false, error: errorMessage(reason) };
    }
    return this._isDisposed || this._generations.get(kind) !== generation
      ? null
      : outcome;
  }

  /** Make every request of `kind` in flight stale. */
  protected forget(kind: string): void {
    this._generations.set(kind, (this._generations.get(kind) ?? 0) + 1);
  }

  private _isDisposed = false;
  private _generations = new Map<string, number>();
  private _changed = new Signal<this, void>(this);
}
