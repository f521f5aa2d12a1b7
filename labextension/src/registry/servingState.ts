/**
 * The Serving tab's state: serving on or off, the status (polled every
 * `SERVING_POLL_MS` while the tab is visible, and only then), the endpoint
 * chosen, the request body its model suggests, and a test request.
 */
import type { LabtrackAPI } from '../api/client';
import type {
  IEndpoint,
  IInvocationReply,
  IModelVersion,
  IServingMetrics,
  IServingStatus
} from '../api/types';
import { Poller } from '../common/poller';
import { ViewState } from '../common/viewState';
import {
  absoluteUrl,
  exampleBody,
  ExampleSource,
  exampleSource,
  jsonError,
  prettyBody,
  signatureInputs
} from './logic';
import { readModelFiles } from './modelFiles';

/** How often the status is asked for while the tab is visible. */
export const SERVING_POLL_MS = 2000;

export class ServingState extends ViewState {
  constructor(options: ServingState.IOptions) {
    super();
    this._api = options.api;
    this.name = options.name;
    this.baseUrl = options.baseUrl;
    this._versions = options.versions;
    this._poller = new Poller(() => this._poll(), SERVING_POLL_MS);
  }

  /** The registered model's name. */
  readonly name: string;
  /** The server's base URL, absolute (`http://host:8888/base/`). */
  readonly baseUrl: string;

  /** Null until the first answer. */
  get status(): IServingStatus | null {
    return this._status;
  }

  /**
   * What the model process counted per endpoint, and its log: polled with
   * the status; null until it answered (or when it could not be read).
   */
  get metrics(): IServingMetrics | null {
    return this._metrics;
  }

  /** Why the last poll failed. */
  get error(): string | null {
    return this._error;
  }

  /** True while serving is being turned on or off. */
  get busy(): boolean {
    return this._busy;
  }

  get toggleError(): string | null {
    return this._toggleError;
  }

  get isPolling(): boolean {
    return this._poller.started;
  }

  /** The endpoint the examples and the test request use. */
  get preferred(): IEndpoint | null {
    const endpoints = this._status?.endpoints ?? [];
    return (
      endpoints.find(e => e.ref === this._ref) ??
      endpoints.find(e => e.ref === 'Production') ??
      endpoints.find(e => e.ref === 'latest') ??
      endpoints[0] ??
      null
    );
  }

  /** The preferred endpoint's absolute URL; '' without one. */
  get url(): string {
    const preferred = this.preferred;
    return preferred ? absoluteUrl(preferred.url, this.baseUrl) : '';
  }

  /** The request body: as edited, else the one the model suggests. */
  get body(): string {
    return this._body ?? this._example;
  }

  /**
   * Where the suggested body comes from (the version's input example, its
   * signature, or neither: a placeholder); null until the model was read.
   */
  get exampleSource(): ExampleSource | null {
    return this._exampleSource;
  }

  /** The test request's answer. */
  get reply(): IInvocationReply | null {
    return this._reply;
  }

  get sendError(): string | null {
    return this._sendError;
  }

  get sending(): boolean {
    return this._sending;
  }

  /** Poll now and on schedule while the tab is visible; stop when hidden. */
  setActive(active: boolean): void {
    if (active) {
      this._poller.start();
    } else {
      this._poller.stop();
    }
  }

  /** Turn serving on or off. */
  async toggle(enabled: boolean): Promise<void> {
    this._busy = true;
    this.emit();
    const outcome = await this.latest('toggle', () =>
      this._api.registry.setServing(this.name, enabled)
    );
    if (outcome?.ok) {
      this._status = outcome.value;
    }
    if (outcome) {
      this._toggleError = outcome.ok ? null : outcome.error;
      this._busy = false;
      this._followExample();
      this.emit();
    }
  }

  /** Use another endpoint (its example body). */
  setRef(ref: string): void {
    this._ref = ref;
    this._body = null;
    this._followExample();
    this.emit();
  }

  setBody(body: string): void {
    this._body = body;
    this.emit();
  }

  /** Back to the body the model suggests. */
  resetBody(): void {
    this._body = null;
    this.emit();
  }

  /** The versions of the model changed: the suggested body may too. */
  versionsChanged(): void {
    this._followExample();
  }

  /** Send the body to the preferred endpoint (not when it is not JSON). */
  async send(): Promise<void> {
    const preferred = this.preferred;
    const invalid = jsonError(this.body);
    this._reply = null;
    this._sendError = invalid;
    if (invalid || !preferred) {
      this.emit();
      return;
    }
    this._sending = true;
    this.emit();
    const outcome = await this.latest('send', () =>
      this._api.registry.invoke(preferred.url, this.body)
    );
    if (outcome?.ok) {
      this._reply = { ...outcome.value, text: prettyBody(outcome.value.text) };
    } else if (outcome) {
      this._sendError = outcome.error;
    }
    this._sending = false;
    this.emit();
  }

  dispose(): void {
    this._poller.dispose();
    super.dispose();
  }

  private async _poll(): Promise<void> {
    const registry = this._api.registry;
    const outcome = await this.latest('status', () =>
      Promise.all([
        registry.serving(this.name),
        // Counts are extra: the status shows even when they cannot be read.
        registry.servingMetrics(this.name).catch(() => null)
      ])
    );
    // Hidden meanwhile: the answer is not shown (as if never asked).
    if (outcome === null || !this._poller.started) {
      return;
    }
    if (outcome.ok) {
      [this._status, this._metrics] = outcome.value;
      this._followExample();
    }
    this._error = outcome.ok ? null : outcome.error;
    this.emit();
  }

  /** Read the example of the preferred version when it (or the versions) changed. */
  private _followExample(): void {
    const versions = this._versions();
    const wanted = this.preferred?.version ?? null;
    const key = `${wanted}:${versions.length}`;
    if (key === this._exampleKey) {
      return;
    }
    this._exampleKey = key;
    const v = versions.find(x => x.version === wanted);
    if (!v) {
      this.forget('example');
      this._exampleSource = null;
      return;
    }
    void this.latest('example', () => readModelFiles(this._api, v)).then(
      outcome => {
        if (outcome?.ok) {
          const { example, mlmodel } = outcome.value;
          const inputs = mlmodel ? signatureInputs(mlmodel) : null;
          this._example = exampleBody(example, inputs);
          this._exampleSource = exampleSource(example, inputs);
          this.emit();
        }
      }
    );
  }

  private _api: LabtrackAPI;
  private _versions: () => IModelVersion[];
  private _poller: Poller;
  private _status: IServingStatus | null = null;
  private _metrics: IServingMetrics | null = null;
  private _error: string | null = null;
  private _busy = false;
  private _toggleError: string | null = null;
  private _ref: string | null = null;
  private _body: string | null = null;
  private _example = exampleBody(null, null);
  private _exampleKey: string | null = null;
  private _exampleSource: ExampleSource | null = null;
  private _reply: IInvocationReply | null = null;
  private _sendError: string | null = null;
  private _sending = false;
}

export namespace ServingState {
  export interface IOptions {
    api: LabtrackAPI;
    name: string;
    baseUrl: string;
    /** The model's versions (the model page's). */
    versions: () => IModelVersion[];
  }
}
