/**
 * The registry views' state: the registered models (`ModelsState`) and one
 * model's page (`ModelPageState`: the model, its versions, their stage
 * histories, the tab shown and, while it is shown, the Serving tab's state).
 */
import type { LabtrackAPI } from '../api/client';
import type { ITransitionRequest } from '../api/transitionRequests';
import type {
  IModelVersion,
  IRegisteredModel,
  ITransition
} from '../api/types';
import { errorMessage } from '../common/errors';
import { ViewState } from '../common/viewState';
import { matchingModels } from './logic';
import { pendingByVersion } from './requestsLogic';
import { ServingState } from './servingState';
import { VersionState } from './versionState';

/** The registered models, by name. */
export class ModelsState extends ViewState {
  constructor(private readonly _api: LabtrackAPI) {
    super();
  }

  /** Null until the first answer. */
  get models(): IRegisteredModel[] | null {
    return this._models;
  }

  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The server checks permissions (team mode): owners are shown. */
  get teamMode(): boolean {
    return this._teamMode;
  }

  /** The search text: models whose name or description holds it. */
  get query(): string {
    return this._query;
  }

  /** The loaded models that match the search (all of them when it is empty). */
  get shown(): IRegisteredModel[] | null {
    return this._models === null
      ? null
      : matchingModels(this._models, this._query);
  }

  /** Why the last "create" was refused. */
  get createError(): string | null {
    return this._createError;
  }

  setQuery(query: string): void {
    this._query = query;
    this.emit();
  }

  /**
   * Create an empty registered model named `name`; resolves to it, or to
   * null when the server refused (the reason is in `createError`).
   */
  async create(name: string): Promise<IRegisteredModel | null> {
    const trimmed = name.trim();
    if (!trimmed) {
      this._createError = 'Type a name for the new model first.';
      this.emit();
      return null;
    }
    try {
      const model = await this._api.registry.create(trimmed);
      this._createError = null;
      void this.refresh();
      return model;
    } catch (reason) {
      this._createError = errorMessage(reason);
      this.emit();
      return null;
    }
  }

  async refresh(): Promise<void> {
    this._loading = true;
    this.emit();
    const outcome = await this.latest('models', () =>
      this._api.registry.list()
    );
    if (outcome?.ok) {
      this._models = outcome.value.registered_models;
      this._teamMode = await this._api.permissions.teamMode();
    }
    if (outcome) {
      this._error = outcome.ok ? null : outcome.error;
      this._loading = false;
      this.emit();
    }
  }

  private _models: IRegisteredModel[] | null = null;
  private _teamMode = false;
  private _error: string | null = null;
  private _loading = false;
  private _query = '';
  private _createError: string | null = null;
}

export type ModelTab = 'versions' | 'serving';

/** A version's stage changes, asked for when its history is opened. */
export interface IHistory {
  /** The stage the history was read at: a new stage reads it again. */
  stage: string;
  rows: ITransition[] | null;
  error: string | null;
}

export class ModelPageState extends ViewState {
  constructor(options: ModelPageState.IOptions) {
    super();
    this._api = options.api;
    this.name = options.name;
    this._baseUrl = options.baseUrl;
    this._isVisible = options.isVisible;
  }

  /** The registered model's name. */
  readonly name: string;

  /** Null until the first answer. */
  get model(): IRegisteredModel | null {
    return this._model;
  }

  /** The server checks permissions (team mode): owner and Share are shown. */
  get teamMode(): boolean {
    return this._teamMode;
  }

  get versions(): IModelVersion[] {
    return this._versions;
  }

  get error(): string | null {
    return this._error;
  }

  /** Why the last change of a version (stage, alias) failed. */
  get versionsError(): string | null {
    return this._versionsError;
  }

  get tab(): ModelTab {
    return this._tab;
  }

  /** The Serving tab's state while that tab is shown (with the model loaded). */
  get serving(): ServingState | null {
    return this._serving;
  }

  /** The version whose page is shown in the versions tab; null: the list. */
  get shownVersion(): VersionState | null {
    return this._shownVersion;
  }

  /** Show one version's page (null: back to the list of versions). */
  openVersion(version: number | null): void {
    if (this._shownVersion?.number === version) {
      return;
    }
    if (this._shownVersion !== null && version === null) {
      void this.refresh(); // its page may have moved it or settled requests
    }
    this._shownVersion?.dispose();
    this._shownVersion = null;
    if (version !== null) {
      this._tab = 'versions';
      this._followServing();
      const shown = new VersionState(this._api, this.name, version);
      shown.changed.connect(() => this.emit());
      this._shownVersion = shown;
      void shown.refresh();
    }
    this.emit();
  }

  /** The pending transition requests of a version (none: empty). */
  pendingOf(version: number): ITransitionRequest[] {
    return this._pending.get(version) ?? [];
  }

  /** The stage history of a version, when it is open. */
  history(version: number): IHistory | undefined {
    return this._histories.get(version);
  }

  setTab(tab: ModelTab): void {
    this._tab = tab;
    // What a tab held goes with it, as when it was last shown.
    this._versionsError = null;
    this._histories.clear();
    this._shownVersion?.dispose();
    this._shownVersion = null;
    this._followServing();
    this.emit();
  }

  /** The Serving tab polls only while the page is shown: follow it now. */
  followVisibility(): void {
    this._serving?.setActive(this._isVisible());
  }

  /** Ask for the model and its versions again. */
  async refresh(): Promise<void> {
    void this._fetchPending();
    const outcome = await this.latest('model', () =>
      Promise.all([
        this._api.registry.get(this.name),
        this._api.registry.versions(this.name)
      ])
    );
    if (outcome === null) {
      return;
    }
    if (outcome.ok) {
      const [model, versions] = outcome.value;
      this._model = model;
      this._versions = versions.model_versions;
      this._teamMode = await this._api.permissions.teamMode();
    }
    this._error = outcome.ok ? null : outcome.error;
    this._followServing();
    this._serving?.versionsChanged();
    void this._shownVersion?.refresh();
    for (const v of this._versions) {
      const open = this._histories.get(v.version);
      if (open && open.stage !== v.current_stage) {
        void this._fetchHistory(v);
      }
    }
    this.emit();
  }

  /** Set the model's description; rejects with the server's refusal. */
  async describe(description: string): Promise<void> {
    await this._api.registry.update(this.name, { description });
    void this.refresh();
  }

  /** Move a version to a stage (archiving the versions in it, if asked). */
  moveStage(v: IModelVersion, stage: string, archive: boolean): Promise<void> {
    return this._changeVersion(
      this._api.registry.setStage(v.name, v.version, stage, archive)
    );
  }

  setAlias(v: IModelVersion, alias: string): Promise<void> {
    return this._changeVersion(
      this._api.registry.setAlias(v.name, alias, v.version)
    );
  }

  deleteAlias(v: IModelVersion, alias: string): Promise<void> {
    return this._changeVersion(this._api.registry.deleteAlias(v.name, alias));
  }

  /** Show a version's stage history (read now) or hide it. */
  toggleHistory(v: IModelVersion): void {
    if (this._histories.delete(v.version)) {
      this.emit();
    } else {
      void this._fetchHistory(v);
    }
  }

  dispose(): void {
    this._shownVersion?.dispose();
    this._shownVersion = null;
    this._serving?.dispose();
    this._serving = null;
    super.dispose();
  }

  private async _changeVersion(call: Promise<unknown>): Promise<void> {
    try {
      await call;
      this._versionsError = null;
      void this.refresh();
    } catch (reason) {
      this._versionsError = errorMessage(reason);
    }
    this.emit();
  }

  private async _fetchHistory(v: IModelVersion): Promise<void> {
    this._histories.set(v.version, {
      stage: v.current_stage,
      rows: null,
      error: null
    });
    this.emit();
    const outcome = await this.latest(`history:${v.version}`, () =>
      this._api.registry.transitions(v.name, v.version)
    );
    if (outcome && this._histories.has(v.version)) {
      this._histories.set(v.version, {
        stage: v.current_stage,
        rows: outcome.ok ? outcome.value.transitions : null,
        error: outcome.ok ? null : outcome.error
      });
      this.emit();
    }
  }

  /** The pending requests of every version; left as they were on failure. */
  private async _fetchPending(): Promise<void> {
    const outcome = await this.latest('pending', () =>
      this._api.transitionRequests.pending(this.name)
    );
    if (outcome?.ok) {
      this._pending = pendingByVersion(outcome.value.requests);
      this.emit();
    }
  }

  /** A Serving tab state while the tab is shown, none otherwise. */
  private _followServing(): void {
    const shown = this._tab === 'serving' && this._model !== null;
    if (shown && this._serving === null) {
      this._serving = new ServingState({
        api: this._api,
        name: this.name,
        baseUrl: this._baseUrl,
        versions: () => this._versions
      });
      this._serving.changed.connect(() => this.emit());
      this._serving.setActive(this._isVisible());
    } else if (!shown && this._serving !== null) {
      this._serving.dispose();
      this._serving = null;
    }
  }

  private _api: LabtrackAPI;
  private _baseUrl: string;
  private _isVisible: () => boolean;
  private _model: IRegisteredModel | null = null;
  private _teamMode = false;
  private _versions: IModelVersion[] = [];
  private _error: string | null = null;
  private _versionsError: string | null = null;
  private _tab: ModelTab = 'versions';
  private _serving: ServingState | null = null;
  private _shownVersion: VersionState | null = null;
  private _histories = new Map<number, IHistory>();
  private _pending = new Map<number, ITransitionRequest[]>();
}

export namespace ModelPageState {
  export interface IOptions {
    api: LabtrackAPI;
    name: string;
    /** The server's base URL, absolute (endpoint URLs are shown with it). */
    baseUrl: string;
    /** Whether the page is shown now. */
    isVisible: () => boolean;
  }
}
