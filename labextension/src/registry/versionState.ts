/**
 * One model version's page: the version, its source run's name, what its
 * `MLmodel` says (signature inputs and outputs) and the body a "load and
 * predict" snippet predicts on. Made when the page opens a version, disposed
 * when it goes back to the list.
 */
import type { LabtrackAPI } from '../api/client';
import type { IModelVersion } from '../api/types';
import { ViewState } from '../common/viewState';
import {
  exampleBody,
  type ISignatureInput,
  loadSnippet,
  signatureInputs,
  signatureOutputs
} from './logic';
import { readModelFiles } from './modelFiles';
import { RequestsState } from './requestsState';

/** What the version's model folder says; `read` is false until it was read. */
export interface ISignature {
  read: boolean;
  inputs: ISignatureInput[] | null;
  outputs: ISignatureInput[] | null;
}

export class VersionState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly name: string,
    readonly number: number
  ) {
    super();
    // An approval moves the version: read it again.
    this.requests = new RequestsState(_api, name, number, () => {
      void this.refresh();
    });
    this.requests.changed.connect(() => this.emit());
  }

  /** Its transition requests, comments and activity. */
  readonly requests: RequestsState;

  /** Null until the first answer. */
  get version(): IModelVersion | null {
    return this._version;
  }

  /** The source run's name; null while unknown (or without a run). */
  get runName(): string | null {
    return this._runName;
  }

  get signature(): ISignature {
    return this._signature;
  }

  /** Python that loads this version and predicts on one row like its input. */
  get snippet(): string {
    return loadSnippet(this.name, this.number, this._body);
  }

  get error(): string | null {
    return this._error;
  }

  async refresh(): Promise<void> {
    void this.requests.refresh();
    const outcome = await this.latest('version', () =>
      this._api.registry.version(this.name, this.number)
    );
    if (outcome === null) {
      return;
    }
    this._error = outcome.ok ? null : outcome.error;
    if (outcome.ok) {
      const first = this._version === null;
      this._version = outcome.value;
      if (first) {
        this._readRunAndFiles(outcome.value);
      }
    }
    this.emit();
  }

  /** Set the version's description; rejects with the server's refusal. */
  async describe(description: string): Promise<void> {
    this._version = await this._api.registry.updateVersion(
      this.name,
      this.number,
      { description }
    );
    this.emit();
  }

  dispose(): void {
    this.requests.dispose();
    super.dispose();
  }

  /** The run's name and the model's files: read once, they do not change. */
  private _readRunAndFiles(v: IModelVersion): void {
    if (v.run_id) {
      const runId = v.run_id;
      void this.latest('run', () => this._api.runs.get(runId)).then(o => {
        if (o?.ok) {
          this._runName = o.value.info.run_name || null;
          this.emit();
        }
      });
    }
    void this.latest('files', () => readModelFiles(this._api, v)).then(o => {
      if (!o) {
        return;
      }
      const mlmodel = o.ok ? o.value.mlmodel : null;
      const inputs = mlmodel ? signatureInputs(mlmodel) : null;
      this._signature = {
        read: true,
        inputs,
        outputs: mlmodel ? signatureOutputs(mlmodel) : null
      };
      this._body = exampleBody(o.ok ? o.value.example : null, inputs);
      this.emit();
    });
  }

  private _version: IModelVersion | null = null;
  private _runName: string | null = null;
  private _signature: ISignature = { read: false, inputs: null, outputs: null };
  private _body = exampleBody(null, null);
  private _error: string | null = null;
}
