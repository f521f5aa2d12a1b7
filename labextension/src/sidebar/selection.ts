import { ISignal, Signal } from '@lumino/signaling';

/**
 * The runs selected in the table (by their checkboxes, or by another view
 * through `labtrack:select-runs`), in the order they were selected.
 */
export class RunSelection {
  /** Emitted with the selected ids whenever they change. */
  get changed(): ISignal<this, string[]> {
    return this._changed;
  }

  /** The selected run ids, oldest selection first. */
  get ids(): string[] {
    return [...this._ids];
  }

  get size(): number {
    return this._ids.length;
  }

  has(runId: string): boolean {
    return this._ids.includes(runId);
  }

  /** Select or deselect runs. */
  select(runIds: string[], selected: boolean): void {
    this.set(
      selected
        ? [...this._ids, ...runIds]
        : this._ids.filter(id => !runIds.includes(id))
    );
  }

  toggle(runId: string): void {
    this.select([runId], !this.has(runId));
  }

  /** Select exactly these runs. */
  set(runIds: string[]): void {
    const next = [...new Set(runIds)];
    if (
      next.length === this._ids.length &&
      next.every((id, i) => id === this._ids[i])
    ) {
      return;
    }
    this._ids = next;
    this._changed.emit(this.ids);
  }

  clear(): void {
    this.set([]);
  }

  private _ids: string[] = [];
  private _changed = new Signal<this, string[]>(this);
}
