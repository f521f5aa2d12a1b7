/**
 * A version's transition requests, comments and activity, as its page shows
 * them: what is pending (with what the caller may do with each), the
 * history, and the writes (ask, approve, reject, cancel, comment). Owned by
 * `VersionState`, which re-reads the version after an approval moved it.
 */
import type { LabtrackAPI } from '../api/client';
import type {
  IActivity,
  ITransitionRequest,
  Settle
} from '../api/transitionRequests';
import { errorMessage } from '../common/errors';
import { ViewState } from '../common/viewState';
import { canArchiveOthers } from './logic';

export class RequestsState extends ViewState {
  constructor(
    private readonly _api: LabtrackAPI,
    readonly name: string,
    readonly number: number,
    private readonly _onMoved: () => void
  ) {
    super();
  }

  /** Oldest first; null until the first answer. */
  get activities(): IActivity[] | null {
    return this._activities;
  }

  get pending(): ITransitionRequest[] {
    return this._pending;
  }

  /** Who is calling (null while unknown). */
  get user(): string | null {
    return this._user;
  }

  /** Why the activity could not be read. */
  get error(): string | null {
    return this._error;
  }

  /** Why the last write was refused (the server's message). */
  get actionError(): string | null {
    return this._actionError;
  }

  /** A write is on its way: buttons wait. */
  get busy(): boolean {
    return this._busy;
  }

  async refresh(): Promise<void> {
    const outcome = await this.latest('activities', () =>
      this._api.transitionRequests.activities(this.name, this.number)
    );
    if (outcome === null) {
      return;
    }
    this._error = outcome.ok ? null : outcome.error;
    if (outcome.ok) {
      this._activities = outcome.value.activities;
      this._pending = outcome.value.requests;
      this._user = outcome.value.user;
    }
    this.emit();
  }

  /** Ask for the version to move to `stage`; true when the server took it. */
  request(stage: string, comment: string, archive: boolean): Promise<boolean> {
    return this._write(() =>
      this._api.transitionRequests.create(this.name, this.number, {
        stage,
        comment: comment.trim() || undefined,
        archive_existing_versions: archive && canArchiveOthers(stage)
      })
    );
  }

  /** Approve, reject or cancel `request`, with a comment. */
  async settle(
    request: ITransitionRequest,
    how: Settle,
    comment: string,
    archive = false
  ): Promise<boolean> {
    const done = await this._write(() =>
      this._api.transitionRequests.settle(this.name, this.number, how, {
        stage: request.to_stage,
        comment: comment.trim() || undefined,
        ...(how === 'approve'
          ? {
              archive_existing_versions:
                archive && canArchiveOthers(request.to_stage)
            }
          : {}),
        ...(how === 'cancel' ? { creator: request.user_id ?? '' } : {})
      })
    );
    if (done && how === 'approve') {
      this._onMoved();
    }
    return done;
  }

  comment(text: string): Promise<boolean> {
    if (!text.trim()) {
      this._actionError = 'Write something before adding a comment.';
      this.emit();
      return Promise.resolve(false);
    }
    return this._write(() =>
      this._api.transitionRequests.comment(this.name, this.number, text)
    );
  }

  deleteComment(id: string): Promise<boolean> {
    return this._write(() =>
      this._api.transitionRequests.deleteComment(this.name, this.number, id)
    );
  }

  private async _write(call: () => Promise<unknown>): Promise<boolean> {
    this._busy = true;
    this.emit();
    let done = false;
    try {
      await call();
      this._actionError = null;
      done = true;
    } catch (reason) {
      this._actionError = errorMessage(reason);
    }
    this._busy = false;
    await this.refresh();
    return done;
  }

  private _activities: IActivity[] | null = null;
  private _pending: ITransitionRequest[] = [];
  private _user: string | null = null;
  private _error: string | null = null;
  private _actionError: string | null = null;
  private _busy = false;
}
