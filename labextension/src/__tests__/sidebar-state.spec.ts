import { afterEach, describe, expect, it, jest } from '@jest/globals';

import type { IStoreInfo } from '../api/types';
import { SidebarState } from '../sidebar/state';
import { EXPERIMENT, FakeServer, HttpError, KEYS, row } from './fakeServer';

const STORE: IStoreInfo = {
  tracking_uri: 'sqlite:////home/me/.labtrack/labtrack.db',
  artifact_root: '/home/me/.labtrack/artifacts'
};

const NOTEBOOK = { path: 'demo.ipynb', notebookId: 'nb-1', kernelId: 'k1' };

/** A server holding one notebook experiment (or none yet) and its runs. */
function server() {
  const state = {
    experiment: { ...EXPERIMENT } as typeof EXPERIMENT | null,
    others: [] as Array<typeof EXPERIMENT>,
    marker: 'm1',
    rows: [row('a'), row('b')] as any[]
  };
  const find = (id: string) =>
    [state.experiment, ...state.others].find(e => e?.experiment_id === id);
  const fake = new FakeServer({
    store: () => STORE,
    'notebook-experiment': call => ({
      experiment: state.experiment && { ...state.experiment },
      notebook_path: call.params.get('path'),
      notebook_id: call.params.get('notebook_id')
    }),
    runs: call => ({
      runs: state.rows.filter(
        r => r.experiment_id === call.params.get('experiment_id')
      ),
      next_page_token: null,
      keys: KEYS,
      marker: state.marker
    }),
    'runs.csv': () => 'Start Time,Duration,Run ID\n',
    changes: call => ({
      marker: state.marker,
      changed: call.params.get('since') !== state.marker
    }),
    'experiments/*': call => {
      const found = find(call.path.split('/')[1]);
      if (!found) {
        throw new HttpError(404, 'No such experiment');
      }
      if (call.method === 'PATCH') {
        found.name = call.body.name;
      }
      if (call.method === 'DELETE') {
        state.experiment = null;
        return undefined;
      }
      return { ...found };
    },
    'POST experiments': call => {
      const created = {
        ...EXPERIMENT,
        experiment_id: '7',
        name: call.body.name
      };
      state.others.push(created);
      return created;
    }
  });
  return { fake, state };
}

describe('SidebarState', () => {
  let sidebar: SidebarState | null = null;

  afterEach(() => {
    sidebar?.dispose();
    sidebar = null;
    jest.useRealTimers();
  });

  it('reads the store once, not on every poll', async () => {
    jest.useFakeTimers();
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    expect(sidebar.store.loading).toBe(true);

    sidebar.start();
    await jest.advanceTimersByTimeAsync(3500);

    expect(fake.callsTo('store')).toHaveLength(1);
    expect(sidebar.store.info).toEqual(STORE);
    expect(sidebar.store.loading).toBe(false);
  });

  it('keeps the last store info and reports the error when a fetch fails', async () => {
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api });
    await sidebar.refresh();
    fake.routes.store = () => {
      throw new Error('server unreachable');
    };

    await sidebar.refresh();

    expect(sidebar.store.error).toBe('server unreachable');
    expect(sidebar.store.info).toEqual(STORE);
  });

  it("shows the active notebook's experiment and its runs", async () => {
    jest.useFakeTimers();
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    sidebar.setNotebook(NOTEBOOK);
    sidebar.start();
    await jest.advanceTimersByTimeAsync(0);

    const asked = fake.callsTo('notebook-experiment')[0].params;
    expect(asked.get('path')).toBe('demo.ipynb');
    expect(asked.get('notebook_id')).toBe('nb-1');
    expect(sidebar.notebookState).toBe('found');
    expect(sidebar.experiment?.name).toBe('demo.ipynb');
    expect(sidebar.runs.runs.map(r => r.run_id)).toEqual(['a', 'b']);
  });

  it('polls the marker every interval and fetches runs only when it changes', async () => {
    jest.useFakeTimers();
    const { fake, state } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    sidebar.setNotebook(NOTEBOOK);
    sidebar.start();
    await jest.advanceTimersByTimeAsync(0);
    const fetched = fake.callsTo('runs').length;

    await jest.advanceTimersByTimeAsync(3000);
    expect(fake.callsTo('changes')).toHaveLength(3);
    expect(fake.callsTo('runs')).toHaveLength(fetched);
    expect(fake.callsTo('notebook-experiment')).toHaveLength(1);

    state.marker = 'm2';
    state.rows.unshift(row('c', { status: 'RUNNING' }));
    await jest.advanceTimersByTimeAsync(1000);
    expect(fake.callsTo('runs')).toHaveLength(fetched + 1);
    expect(sidebar.runs.runs[0].run_id).toBe('c');
    // A change may be the experiment's own (a rename): it is read again too.
    expect(fake.callsTo('experiments/1')).toHaveLength(1);
  });

  it('polls only while started', async () => {
    jest.useFakeTimers();
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    sidebar.setNotebook(NOTEBOOK);

    await jest.advanceTimersByTimeAsync(5000);
    expect(fake.calls).toHaveLength(0);

    sidebar.start();
    sidebar.start(); // a second view asks too: still one poll loop
    await jest.advanceTimersByTimeAsync(2500);
    const whileStarted = fake.callsTo('changes').length;
    sidebar.stop();
    await jest.advanceTimersByTimeAsync(5000);

    expect(whileStarted).toBe(2);
    expect(fake.callsTo('changes')).toHaveLength(whileStarted);
  });

  it('does not poll when the interval is 0', async () => {
    jest.useFakeTimers();
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 0 });
    sidebar.setNotebook(NOTEBOOK);

    sidebar.start();
    await jest.advanceTimersByTimeAsync(10000);

    expect(fake.callsTo('changes')).toHaveLength(0);
    expect(fake.callsTo('runs').length).toBeGreaterThan(0);
  });

  it('waits for the first run to create the notebook experiment, then shows it', async () => {
    jest.useFakeTimers();
    const { fake, state } = server();
    const created = state.experiment;
    state.experiment = null;
    sidebar = new SidebarState({
      api: fake.api,
      pollInterval: 1000,
      source: {
        findByKernel: id =>
          id === 'k1'
            ? { path: 'demo.ipynb', toJSON: () => ({ cells: [] }) }
            : null
      }
    });
    fake.routes['PUT runs/*'] = () => undefined;
    sidebar.setNotebook(NOTEBOOK);
    sidebar.start();
    await jest.advanceTimersByTimeAsync(2000);
    expect(sidebar.notebookState).toBe('missing');
    expect(fake.callsTo('notebook-experiment')).toHaveLength(3);
    expect(fake.callsTo('runs')).toHaveLength(0);

    state.experiment = created;
    state.rows = [row('first', { tags: { 'labtrack.kernel.id': 'k1' } })];
    await jest.advanceTimersByTimeAsync(1000);

    expect(sidebar.notebookState).toBe('found');
    expect(sidebar.runs.runs.map(r => r.run_id)).toEqual(['first']);
    // Its runs are new: the live notebook is stored as their version.
    expect(fake.callsTo('runs/first/notebook', 'PUT')).toHaveLength(1);
  });

  it('follows a rename: asks again and shows the renamed experiment', async () => {
    jest.useFakeTimers();
    const { fake, state } = server();
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    sidebar.setNotebook(NOTEBOOK);
    sidebar.start();
    await jest.advanceTimersByTimeAsync(0);

    // The server renames the experiment a moment after the file.
    sidebar.setNotebook({ ...NOTEBOOK, path: 'renamed.ipynb' });
    await jest.advanceTimersByTimeAsync(0);
    expect(sidebar.experiment?.name).toBe('demo.ipynb');
    expect(sidebar.runs.runs).toHaveLength(2); // no flash of an empty table
    state.experiment!.name = 'renamed.ipynb';
    await jest.advanceTimersByTimeAsync(1000);

    expect(sidebar.experiment?.name).toBe('renamed.ipynb');
    const paths = fake
      .callsTo('notebook-experiment')
      .map(c => c.params.get('path'));
    expect(paths).toEqual(['demo.ipynb', 'renamed.ipynb', 'renamed.ipynb']);
    await jest.advanceTimersByTimeAsync(5000);
    expect(fake.callsTo('notebook-experiment')).toHaveLength(3);
  });

  it('switches to another experiment and back', async () => {
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api });
    sidebar.setNotebook(NOTEBOOK);
    await sidebar.refresh();

    const created = await sidebar.createExperiment('baselines');
    expect(fake.callsTo('experiments', 'POST')[0].body).toEqual({
      name: 'baselines'
    });
    expect(sidebar.experiment).toEqual(created);
    expect(sidebar.switched).toBe(true);
    expect(sidebar.runs.experimentId).toBe('7');

    await sidebar.renameExperiment('baselines-2');
    expect(sidebar.experiment?.name).toBe('baselines-2');

    sidebar.backToNotebook();
    expect(sidebar.switched).toBe(false);
    expect(sidebar.experiment?.experiment_id).toBe('1');
    expect(sidebar.runs.experimentId).toBe('1');

    // Switching to the notebook's own experiment is no switch.
    sidebar.switchTo({ ...EXPERIMENT });
    expect(sidebar.switched).toBe(false);
  });

  it("deletes the shown experiment and falls back to the notebook's state", async () => {
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api });
    sidebar.setNotebook(NOTEBOOK);
    await sidebar.refresh();

    await sidebar.deleteExperiment();

    expect(fake.callsTo('experiments/1', 'DELETE')).toHaveLength(1);
    expect(sidebar.experiment).toBeNull();
    expect(sidebar.notebookState).toBe('missing');
    expect(sidebar.runs.experimentId).toBeNull();
  });

  it('reports a failed look-up and recovers on the next poll', async () => {
    jest.useFakeTimers();
    const { fake } = server();
    const route = fake.routes['notebook-experiment'];
    fake.routes['notebook-experiment'] = () => {
      throw new Error('server unreachable');
    };
    sidebar = new SidebarState({ api: fake.api, pollInterval: 1000 });
    sidebar.setNotebook(NOTEBOOK);
    sidebar.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(sidebar.notebookState).toBe('error');
    expect(sidebar.notebookError).toBe('server unreachable');

    fake.routes['notebook-experiment'] = route;
    await jest.advanceTimersByTimeAsync(1000);
    expect(sidebar.notebookState).toBe('found');
    expect(sidebar.notebookError).toBeNull();
  });

  it('forgets the notebook experiment when another notebook becomes active', async () => {
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api });
    sidebar.setNotebook(NOTEBOOK);
    await sidebar.refresh();

    sidebar.setNotebook({
      path: 'other.ipynb',
      notebookId: 'nb-2',
      kernelId: null
    });
    expect(sidebar.experiment).toBeNull();
    expect(sidebar.notebookState).toBe('loading');
    sidebar.setNotebook(null);
    expect(sidebar.notebookState).toBe('none');
  });

  it('downloads the CSV of the current query', async () => {
    const { fake } = server();
    sidebar = new SidebarState({ api: fake.api });
    sidebar.setNotebook(NOTEBOOK);
    await sidebar.refresh();
    await sidebar.runs.setQuery({ filter: 'metrics.rmse < 1' });

    const file = await sidebar.fetchCsv();

    expect(file).toEqual({
      filename: 'demo-runs.csv',
      text: 'Start Time,Duration,Run ID\n'
    });
    const asked = fake.callsTo('runs.csv')[0].params;
    expect(asked.get('filter')).toBe('metrics.rmse < 1');
    expect(asked.get('experiment_id')).toBe('1');
    expect(asked.get('max_results')).toBeNull();
  });
});
