/**
 * Sharing against the fake server: the dialog's state reads the owner and
 * grants, sends each change and re-reads what the server keeps, refuses a
 * blank name or the owner without a request, and keeps the list when the
 * server refuses (a 403 for a caller without MANAGE).
 */
import { describe, expect, it } from '@jest/globals';

import type { IGrant, IPermissions } from '../api/types';
import { PermissionsAPI } from '../api/permissions';
import { ExperimentsState } from '../sidebar/experiments';
import { shareTarget, ShareState } from '../share/state';
import { EXPERIMENT, FakeServer, HttpError } from './fakeServer';

const PATH = 'experiments/3/permissions';

/** A server keeping one experiment's grants; `manage` says if the caller may change them. */
function server(manage = true) {
  const kept: IPermissions = {
    owner: 'alice',
    grants: [],
    my_permission: manage ? 'MANAGE' : 'READ'
  };
  const fake = new FakeServer({
    [`GET ${PATH}`]: () => JSON.parse(JSON.stringify(kept)),
    [`PUT ${PATH}`]: call => {
      if (!manage) {
        throw new HttpError(
          403,
          "bob needs MANAGE on experiment 'demo' (id 3)"
        );
      }
      const grant = call.body as IGrant;
      kept.grants = kept.grants.filter(
        g =>
          !(
            g.principal_kind === grant.principal_kind &&
            g.principal === grant.principal
          )
      );
      kept.grants.push(grant);
      return {};
    },
    [`DELETE ${PATH}`]: call => {
      kept.grants = kept.grants.filter(
        g =>
          !(
            g.principal_kind === call.params.get('principal_kind') &&
            g.principal === call.params.get('principal')
          )
      );
      return undefined;
    }
  });
  return { fake, kept };
}

const TARGET = { kind: 'experiment' as const, id: '3', label: 'demo' };

describe('ShareState', () => {
  it('reads the owner and grants, and whether the caller may change them', async () => {
    const { fake } = server();
    const state = new ShareState({ api: fake.api, target: TARGET });
    await state.load();
    expect(state.permissions?.owner).toBe('alice');
    expect(state.canManage).toBe(true);
    expect(fake.callsTo(PATH)).toHaveLength(1);
  });

  it('adds a grant, changes it, removes it: each time the list the server keeps', async () => {
    const { fake, kept } = server();
    const state = new ShareState({ api: fake.api, target: TARGET });
    await state.load();
    expect(await state.grant('group', ' data-science ', 'READ')).toBe(true);
    expect(fake.callsTo(PATH, 'PUT')[0].body).toEqual({
      principal_kind: 'group',
      principal: 'data-science',
      permission: 'READ'
    });
    expect(state.permissions?.grants).toEqual(kept.grants);
    await state.grant('group', 'data-science', 'EDIT');
    expect(state.permissions?.grants).toEqual([
      { principal_kind: 'group', principal: 'data-science', permission: 'EDIT' }
    ]);
    await state.revoke(state.permissions!.grants[0]);
    const removal = fake.callsTo(PATH, 'DELETE')[0];
    expect(removal.params.get('principal_kind')).toBe('group');
    expect(removal.params.get('principal')).toBe('data-science');
    expect(state.permissions?.grants).toEqual([]);
    expect(state.error).toBeNull();
  });

  it('refuses a blank name and the owner without asking the server', async () => {
    const { fake } = server();
    const state = new ShareState({ api: fake.api, target: TARGET });
    await state.load();
    expect(await state.grant('user', '   ', 'READ')).toBe(false);
    expect(state.error).toMatch(/Type the name of the user/);
    expect(await state.grant('user', 'alice', 'EDIT')).toBe(false);
    expect(state.error).toMatch(/alice owns this experiment/);
    expect(fake.callsTo(PATH, 'PUT')).toHaveLength(0);
  });

  it("shows the server's refusal and keeps the list as it was", async () => {
    const { fake } = server(false);
    const state = new ShareState({ api: fake.api, target: TARGET });
    await state.load();
    expect(state.canManage).toBe(false);
    expect(await state.grant('user', 'carol', 'READ')).toBe(false);
    expect(state.error).toBe("bob needs MANAGE on experiment 'demo' (id 3)");
    expect(state.permissions?.grants).toEqual([]);
    expect(state.busy).toBe(false);
  });

  it('shares registered models by name, under their own path', async () => {
    const fake = new FakeServer({
      'registered-models/my%20model/permissions': () => ({
        owner: null,
        grants: [],
        my_permission: 'MANAGE'
      })
    });
    const state = new ShareState({
      api: fake.api,
      target: shareTarget({ kind: 'registered-model', id: 'my model' })
    });
    await state.load();
    expect(state.target.label).toBe('my model');
    expect(state.permissions?.owner).toBeNull();
  });
});

describe('shareTarget', () => {
  it('says what the command needs when called wrongly', () => {
    expect(() => shareTarget({ kind: 'run', id: '1' })).toThrow(
      /labtrack:share needs \{kind: 'experiment' \| 'registered-model', id\}/
    );
    expect(() => shareTarget({ kind: 'experiment' })).toThrow(/needs/);
  });
});

describe('ExperimentsState: "Shared with me"', () => {
  it('asks for the experiments others shared, then for all again', async () => {
    const fake = new FakeServer({
      experiments: call => ({
        experiments:
          call.params.get('shared_with_me') === 'true'
            ? [{ ...EXPERIMENT, experiment_id: '9', owner: 'bob' }]
            : [EXPERIMENT],
        next_page_token: null
      })
    });
    const experiments = new ExperimentsState({ api: fake.api });
    await experiments.setSharedOnly(true);
    expect(experiments.list.map(e => e.owner)).toEqual(['bob']);
    expect(fake.callsTo('experiments')[0].params.get('shared_with_me')).toBe(
      'true'
    );
    await experiments.setSharedOnly(false);
    expect(fake.callsTo('experiments')[1].params.has('shared_with_me')).toBe(
      false
    );
    expect(experiments.list.map(e => e.experiment_id)).toEqual(['1']);
  });
});

describe('PermissionsAPI.teamMode', () => {
  const whoami = (enabled: boolean) => ({
    name: 'alice',
    groups: [],
    admin: false,
    permissions_enabled: enabled
  });

  it('asks the server once and keeps the answer', async () => {
    const fake = new FakeServer({ whoami: () => whoami(true) });
    const api = new PermissionsAPI(fake.transport);
    expect(await api.teamMode()).toBe(true);
    expect(await api.teamMode()).toBe(true);
    expect(fake.callsTo('whoami')).toHaveLength(1);
  });

  it('is off on a single-user server, and on one that cannot say', async () => {
    expect(
      await new PermissionsAPI(
        new FakeServer({ whoami: () => whoami(false) }).transport
      ).teamMode()
    ).toBe(false);
    const old = new FakeServer({
      whoami: () => {
        throw new HttpError(404, 'Not Found');
      }
    });
    const api = new PermissionsAPI(old.transport);
    expect(await api.teamMode()).toBe(false);
    // A failure is not kept: the next view asks again.
    expect(await api.teamMode()).toBe(false);
    expect(old.callsTo('whoami')).toHaveLength(2);
  });
});
