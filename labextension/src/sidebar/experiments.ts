import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackAPI } from '../api/client';
import type { IExperiment } from '../api/types';
import { errorMessage } from '../common/errors';
import { quoteString } from './query';

/** How many experiments the switcher lists at once. */
export const EXPERIMENT_LIST_SIZE = 100;

/**
 * Experiments: the searchable list of the switcher, and create, rename,
 * delete and restore.
 */
export class ExperimentsState {
  constructor(options: { api: LabtrackAPI }) {
    this._api = options.api.experiments;
  }

  /** Emitted when the list, its search text, loading or error change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Active experiments whose name contains the search text. */
  get list(): readonly IExperiment[] {
    return this._list;
  }

  /** More experiments match than are listed: type more to narrow. */
  get hasMore(): boolean {
    return this._hasMore;
  }

  get search(): string {
    return this._search;
  }

  /** Only experiments owned by others that the user may read (team mode). */
  get sharedOnly(): boolean {
    return this._sharedOnly;
  }

  /** List only what others shared (true) or every readable experiment. */
  async setSharedOnly(sharedOnly: boolean): Promise<void> {
    this._sharedOnly = sharedOnly;
    await this.load();
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** List the active experiments whose name contains `text` (any case). */
  async load(text = this._search): Promise<void> {
    this._search = text;
    const generation = ++this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const reply = await this._api.search({
        view: 'active',
        maxResults: EXPERIMENT_LIST_SIZE,
        filter: text.trim()
          ? `name ILIKE ${quoteString(`%${text.trim()}%`)}`
          : undefined,
        sharedWithMe: this._sharedOnly
      });
      if (generation !== this._generation) {
        return;
      }
      this._list = reply.experiments;
      this._hasMore = Boolean(reply.next_page_token);
      this._error = null;
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      this._error = errorMessage(reason);
    }
    this._loading = false;
    this._changed.emit();
  }

  get(experimentId: string, init?: RequestInit): Promise<IExperiment> {
    return this._api.get(experimentId, init);
  }

  create(name: string): Promise<IExperiment> {
    return this._api.create(name);
  }

  rename(experimentId: string, name: string): Promise<IExperiment> {
    return this._api.rename(experimentId, name);
  }

  async remove(experimentId: string): Promise<void> {
    await this._api.remove(experimentId);
  }

  async restore(experimentId: string): Promise<void> {
    await this._api.restore(experimentId);
  }

  private _api: LabtrackAPI['experiments'];
  private _list: IExperiment[] = [];
  private _hasMore = false;
  private _search = '';
  private _sharedOnly = false;
  private _loading = false;
  private _error: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
