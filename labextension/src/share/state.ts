import { ISignal, Signal } from '@lumino/signaling';

import type { LabtrackAPI } from '../api/client';
import type { IShareable } from '../api/permissions';
import type {
  IGrant,
  IPermissions,
  Permission,
  PrincipalKind
} from '../api/types';
import { errorMessage } from '../common/errors';
import { CommandIDs } from '../tokens';

const KINDS: ReadonlyArray<IShareable['kind']> = [
  'experiment',
  'registered-model'
];

/** The command's arguments as a target; throws a clear error on bad ones. */
export function shareTarget(args: Record<string, unknown>): IShareable {
  const kind = String(args.kind ?? '') as IShareable['kind'];
  const id = String(args.id ?? '');
  if (!KINDS.includes(kind) || !id) {
    throw new Error(
      `${CommandIDs.share} needs {kind: 'experiment' | 'registered-model', id}, got ${JSON.stringify(args)}`
    );
  }
  return { kind, id, label: String(args.label ?? id) };
}

/** The permissions a grant can give, weakest first. */
export const PERMISSIONS: readonly Permission[] = ['READ', 'EDIT', 'MANAGE'];

/** What each permission allows, in a user's words. */
export const PERMISSION_HELP: Record<Permission, string> = {
  READ: 'can see runs, metrics, artifacts and models',
  EDIT: 'can also log runs, change tags and register versions',
  MANAGE: 'can also share, rename and delete'
};

/** Kind words of what is shared, for messages. */
const KIND_WORD: Record<IShareable['kind'], string> = {
  experiment: 'experiment',
  'registered-model': 'model'
};

/**
 * Who may see or change one experiment or registered model: its owner and
 * grants, and adding, changing and removing grants. Every change is sent at
 * once and the list re-read from the server, so the dialog shows what the
 * server keeps, not what was typed.
 */
export class ShareState {
  constructor(options: { api: LabtrackAPI; target: IShareable }) {
    this._api = options.api.permissions;
    this.target = options.target;
  }

  readonly target: IShareable;

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** null until the first answer. */
  get permissions(): IPermissions | null {
    return this._permissions;
  }

  /** The caller may change the grants. */
  get canManage(): boolean {
    return this._permissions?.my_permission === 'MANAGE';
  }

  /** A request is under way: buttons wait for it. */
  get busy(): boolean {
    return this._busy;
  }

  get error(): string | null {
    return this._error;
  }

  async load(): Promise<void> {
    await this._run(async () => {
      this._permissions = await this._api.get(this.target);
    });
  }

  /**
   * Give `principal` (a user or a group name) `permission`, or change what
   * they have. Refused here, without a request, when the name is blank or
   * names the owner.
   */
  async grant(
    principalKind: PrincipalKind,
    principal: string,
    permission: Permission
  ): Promise<boolean> {
    const name = principal.trim();
    if (!name) {
      this._fail(
        `Type the name of the ${principalKind} to share this ${KIND_WORD[this.target.kind]} with.`
      );
      return false;
    }
    if (principalKind === 'user' && name === this._permissions?.owner) {
      this._fail(
        `${name} owns this ${KIND_WORD[this.target.kind]} and can already do everything with it.`
      );
      return false;
    }
    const grant: IGrant = {
      principal_kind: principalKind,
      principal: name,
      permission
    };
    return this._run(async () => {
      await this._api.grant(this.target, grant);
      this._permissions = await this._api.get(this.target);
    });
  }

  async revoke(grant: IGrant): Promise<boolean> {
    return this._run(async () => {
      await this._api.revoke(
        this.target,
        grant.principal_kind,
        grant.principal
      );
      this._permissions = await this._api.get(this.target);
    });
  }

  /** Run one request; its failure becomes `error`, the list stays as it was. */
  private async _run(work: () => Promise<void>): Promise<boolean> {
    this._busy = true;
    this._error = null;
    this._changed.emit();
    let ok = true;
    try {
      await work();
    } catch (reason) {
      this._error = errorMessage(reason);
      ok = false;
    }
    this._busy = false;
    this._changed.emit();
    return ok;
  }

  private _fail(message: string): void {
    this._error = message;
    this._changed.emit();
  }

  private _api: LabtrackAPI['permissions'];
  private _permissions: IPermissions | null = null;
  private _busy = false;
  private _error: string | null = null;
  private _changed = new Signal<this, void>(this);
}
