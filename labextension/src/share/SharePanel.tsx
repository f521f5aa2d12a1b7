/**
 * Who may see or change an experiment or a registered model: the owner and
 * the grants, and for whoever has MANAGE a form to add users or JupyterHub
 * groups, a permission per grant and a remove button. Presents `ShareState`.
 */
import { closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { Permission, PrincipalKind } from '../api/types';
import { IconButton } from '../common/IconButton';
import { useSignals } from '../common/useSignals';
import { PERMISSION_HELP, PERMISSIONS, type ShareState } from './state';

function PermissionSelect(props: {
  value: Permission;
  label: string;
  disabled: boolean;
  onChange: (permission: Permission) => void;
}): JSX.Element {
  return (
    <select
      className="jp-mod-styled lt-Share-permission"
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={e => props.onChange(e.target.value as Permission)}
    >
      {PERMISSIONS.map(p => (
        <option key={p} value={p} title={PERMISSION_HELP[p]}>
          {p}
        </option>
      ))}
    </select>
  );
}

/** The form that adds a grant. */
function AddGrant(props: { state: ShareState }): JSX.Element {
  const { state } = props;
  const [kind, setKind] = React.useState<PrincipalKind>('user');
  const [name, setName] = React.useState('');
  const [permission, setPermission] = React.useState<Permission>('READ');
  const add = async (): Promise<void> => {
    if (await state.grant(kind, name, permission)) {
      setName('');
    }
  };
  return (
    <form
      className="lt-Share-add"
      onSubmit={event => {
        event.preventDefault();
        void add();
      }}
    >
      <select
        className="jp-mod-styled lt-Share-kind"
        aria-label="Share with a user or a group"
        value={kind}
        onChange={e => setKind(e.target.value as PrincipalKind)}
      >
        <option value="user">User</option>
        <option value="group">Group</option>
      </select>
      <input
        className="jp-mod-styled lt-Share-name"
        aria-label={kind === 'user' ? 'User name' : 'Group name'}
        placeholder={
          kind === 'user' ? 'JupyterHub user name' : 'JupyterHub group'
        }
        value={name}
        autoFocus
        onChange={e => setName(e.target.value)}
      />
      <PermissionSelect
        label="Permission to give"
        value={permission}
        disabled={false}
        onChange={setPermission}
      />
      <button
        type="submit"
        className="jp-Button jp-mod-styled jp-mod-accept lt-Share-addButton"
        disabled={state.busy}
      >
        Add
      </button>
    </form>
  );
}

export function SharePanel(props: { state: ShareState }): JSX.Element {
  const { state } = props;
  useSignals([state.changed]);
  const permissions = state.permissions;
  const kindWord = state.target.kind === 'experiment' ? 'experiment' : 'model';
  return (
    <div className="lt-Share" aria-busy={state.busy}>
      {permissions === null && !state.error && <p>Loading…</p>}
      {permissions !== null && (
        <>
          {state.canManage ? (
            <AddGrant state={state} />
          ) : (
            <p className="lt-Share-readonly">
              You have {permissions.my_permission ?? 'no'} permission on this{' '}
              {kindWord}: its owner, an admin or someone with MANAGE can share
              it.
            </p>
          )}
          <table className="lt-Table lt-Share-grants">
            <thead>
              <tr>
                <th>Who</th>
                <th>Permission</th>
                <th aria-label="Remove" />
              </tr>
            </thead>
            <tbody>
              <tr className="lt-Share-owner">
                <th>
                  {permissions.owner ?? 'nobody (admins only)'}{' '}
                  <span className="lt-Share-tag">owner</span>
                </th>
                <td>MANAGE</td>
                <td />
              </tr>
              {permissions.grants.map(grant => {
                const who = `${grant.principal_kind} ${grant.principal}`;
                return (
                  <tr
                    key={`${grant.principal_kind}:${grant.principal}`}
                    className="lt-Share-grant"
                  >
                    <th>
                      {grant.principal}{' '}
                      {grant.principal_kind === 'group' && (
                        <span className="lt-Share-tag">group</span>
                      )}
                    </th>
                    <td>
                      <PermissionSelect
                        label={`Permission of ${who}`}
                        value={grant.permission}
                        disabled={!state.canManage || state.busy}
                        onChange={p =>
                          void state.grant(
                            grant.principal_kind,
                            grant.principal,
                            p
                          )
                        }
                      />
                    </td>
                    <td>
                      {state.canManage && (
                        <IconButton
                          icon={closeIcon}
                          title={`Stop sharing with ${who}`}
                          disabled={state.busy}
                          onClick={() => void state.revoke(grant)}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {permissions.grants.length === 0 && (
            <p className="lt-Share-private">
              Private: only the owner and admins can see this {kindWord}.
            </p>
          )}
        </>
      )}
      {state.error && (
        <div className="lt-RunPage-error lt-Share-error" role="alert">
          {state.error}
        </div>
      )}
    </div>
  );
}
