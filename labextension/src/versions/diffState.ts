/** A run's notebook version against a notebook on disk: nbdime's text diff. */
import type { LabtrackAPI } from '../api/client';
import { ViewState } from '../common/viewState';

export class FileDiffState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly runId: string,
    readonly path: string
  ) {
    super();
  }

  /** The diff's text ('' when the two are the same); null until fetched. */
  get text(): string | null {
    return this._text;
  }

  get error(): string | null {
    return this._error;
  }

  /** Diff again (the notebook on disk may have changed). */
  async refresh(): Promise<void> {
    this._error = null;
    this.emit();
    const outcome = await this.latest('diff', () =>
      this._api.notebooks.diffWithFile(this.runId, this.path)
    );
    if (outcome?.ok) {
      this._text = outcome.value.diff.length ? outcome.value.text : '';
    } else if (outcome) {
      this._error = outcome.error;
    }
    this.emit();
  }

  private _text: string | null = null;
  private _error: string | null = null;
}
