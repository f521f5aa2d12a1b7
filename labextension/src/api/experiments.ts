/** Experiments (`experiments/...`) and the notebook experiment (`notebook-experiment`). */
import { type ITransport, jsonInit, q } from './transport';
import type {
  IExperiment,
  IExperimentsReply,
  INotebookExperimentReply
} from './types';

/** What `GET experiments` is asked for. */
export interface IExperimentSearch {
  view: 'active' | 'deleted' | 'all';
  maxResults: number;
  /** The filter language, e.g. `name ILIKE '%demo%'`. */
  filter?: string;
  /** Only experiments owned by others that the caller may read (team mode). */
  sharedWithMe?: boolean;
}

const experiment = (experimentId: string): string =>
  `experiments/${q(experimentId)}`;

export class ExperimentsAPI {
  constructor(private readonly _transport: ITransport) {}

  search(search: IExperimentSearch): Promise<IExperimentsReply> {
    const params = new URLSearchParams({
      view: search.view,
      max_results: String(search.maxResults)
    });
    if (search.filter) {
      params.set('filter', search.filter);
    }
    if (search.sharedWithMe) {
      params.set('shared_with_me', 'true');
    }
    return this._transport.request<IExperimentsReply>(`experiments?${params}`);
  }

  get(experimentId: string, init?: RequestInit): Promise<IExperiment> {
    return this._transport.request<IExperiment>(experiment(experimentId), init);
  }

  create(name: string): Promise<IExperiment> {
    return this._transport.request<IExperiment>(
      'experiments',
      jsonInit('POST', { name })
    );
  }

  rename(experimentId: string, name: string): Promise<IExperiment> {
    return this._transport.request<IExperiment>(
      experiment(experimentId),
      jsonInit('PATCH', { name })
    );
  }

  remove(experimentId: string): Promise<void> {
    return this._transport.request<void>(experiment(experimentId), {
      method: 'DELETE'
    });
  }

  restore(experimentId: string): Promise<void> {
    return this._transport.request<void>(
      `${experiment(experimentId)}/restore`,
      { method: 'POST' }
    );
  }

  /** The experiment of the notebook at `path` (with this notebook id, if any). */
  ofNotebook(
    path: string,
    notebookId: string | null,
    init?: RequestInit
  ): Promise<INotebookExperimentReply> {
    const params = new URLSearchParams({ path });
    if (notebookId) {
      params.set('notebook_id', notebookId);
    }
    return this._transport.request<INotebookExperimentReply>(
      `notebook-experiment?${params}`,
      init
    );
  }
}
