import { ISignal, Signal } from '@lumino/signaling';

import type { IExperiment, IExperimentsReply, RequestAPI } from '../tokens';
import { errorMessage } from './errors';
import { quoteString } from './query';

/** How many experiments the switcher lists at once. */
export const EXPERIMENT_LIST_SIZE = 100;

/**
 * Experiments: the searchable list of the switcher, and create, rename,
 * delete and restore.
 */
export class ExperimentsModel {
  constructor(options: { request: RequestAPI }) {
    this._request = options.request;
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
    const params = new URLSearchParams({
      view: 'active',
      max_results: String(EXPERIMENT_LIST_SIZE)
    });
    if (text.trim()) {
      params.set('filter', `name ILIKE ${quoteString(`%${text.trim()}%`)}`);
    }
    try {
      const reply = await this._request<IExperimentsReply>(
        `experiments?${params}`
      );
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
    return this._request<IExperiment>(
      `experiments/${encodeURIComponent(experimentId)}`,
      init
    );
  }

  create(name: string): Promise<IExperiment> {
    return this._request<IExperiment>('experiments', {
      method: 'POST',
      body: JSON.stringify({ name })
    });
  }

  rename(experimentId: string, name: string): Promise<IExperiment> {
    return this._request<IExperiment>(
      `experiments/${encodeURIComponent(experimentId)}`,
      { method: 'PATCH', body: JSON.stringify({ name }) }
    );
  }

  async remove(experimentId: string): Promise<void> {
    await this._request<void>(
      `experiments/${encodeURIComponent(experimentId)}`,
      { method: 'DELETE' }
    );
  }

  async restore(experimentId: string): Promise<void> {
    await this._request<void>(
      `experiments/${encodeURIComponent(experimentId)}/restore`,
      { method: 'POST' }
    );
  }

  private _request: RequestAPI;
  private _list: IExperiment[] = [];
  private _hasMore = false;
  private _search = '';
  private _loading = false;
  private _error: string | null = null;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
