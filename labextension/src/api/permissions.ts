/**
 * Who may do what (team mode): an experiment's or a registered model's owner
 * and grants (`.../permissions`), and the caller (`whoami`).
 */
import { type ITransport, jsonInit, q } from './transport';
import type { IGrant, IPermissions, IWhoami, PrincipalKind } from './types';

/** What can be shared: an experiment (by id) or a registered model (by name). */
export interface IShareable {
  kind: 'experiment' | 'registered-model';
  /** The experiment id or the model name. */
  id: string;
  /** How the dialog names it: the experiment's or the model's name. */
  label: string;
}

const permissionsPath = (target: IShareable): string =>
  target.kind === 'experiment'
    ? `experiments/${q(target.id)}/permissions`
    : `registered-models/${q(target.id)}/permissions`;

export class PermissionsAPI {
  constructor(private readonly _transport: ITransport) {}

  /** The caller's name, groups and whether permissions are checked at all. */
  whoami(): Promise<IWhoami> {
    return this._transport.request<IWhoami>('whoami');
  }

  /**
   * Whether the server checks permissions (team mode), asked once: the
   * Share buttons, owners and "Shared with me" show only then. A server
   * that cannot say (an older one) is taken as single-user; a failed
   * request is asked again next time.
   */
  teamMode(): Promise<boolean> {
    if (this._teamMode === null) {
      this._teamMode = this.whoami().then(
        reply => reply.permissions_enabled === true,
        reason => {
          this._teamMode = null;
          throw reason;
        }
      );
    }
    return this._teamMode.catch(() => false);
  }

  private _teamMode: Promise<boolean> | null = null;

  get(target: IShareable): Promise<IPermissions> {
    return this._transport.request<IPermissions>(permissionsPath(target));
  }

  /** Add a grant, or change the permission of an existing one. */
  grant(target: IShareable, grant: IGrant): Promise<unknown> {
    return this._transport.request<unknown>(
      permissionsPath(target),
      jsonInit('PUT', grant)
    );
  }

  revoke(
    target: IShareable,
    principalKind: PrincipalKind,
    principal: string
  ): Promise<void> {
    const params = new URLSearchParams({
      principal_kind: principalKind,
      principal
    });
    return this._transport.request<void>(
      `${permissionsPath(target)}?${params}`,
      { method: 'DELETE' }
    );
  }
}
