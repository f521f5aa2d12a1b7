import { describe, expect, it } from '@jest/globals';

import { ALWAYS_COLUMNS } from '../sidebar/query';
import { RunsState } from '../sidebar/runs';
import { FakeServer, HttpError, KEYS, row } from './fakeServer';

const ALWAYS = ALWAYS_COLUMNS.join(',');

/** A server with `rows` in experiment 1 and a marker the test can move. */
function server(rows: any[] = [row('a'), row('b')]) {
  const state = { marker: 'm1', rows };
  const fake = new FakeServer({
    runs: call => {
      const max = Number(call.params.get('max_results') ?? 100);
      const start = Number(call.params.get('page_token') ?? 0);
      const page = state.rows.slice(start, start + max);
      return {
        runs: page,
        next_page_token:
          start + max < state.rows.length ? String(start + max) : null,
        keys: KEYS,
        marker: state.marker
      };
    },
    changes: call => ({
      marker: state.marker,
      changed: call.params.get('since') !== state.marker
    })
  });
  return { fake, state };
}

describe('RunsState', () => {
  it('fetches the first page of the experiment with the default columns', async () => {
    const { fake } = server();
    const table = new RunsState({ api: fake.api, pageSize: 25 });
    table.setExperiment('1');

    await table.refresh();

    expect(table.runs.map(r => r.run_id)).toEqual(['a', 'b']);
    expect(table.keys).toEqual(KEYS);
    expect(table.marker).toBe('m1');
    expect(table.loading).toBe(false);
    const first = fake.callsTo('runs')[0].params;
    expect(first.get('experiment_id')).toBe('1');
    expect(first.get('max_results')).toBe('25');
    // Keys unknown at first: `metrics.*` and `params.*` are resolved from the
    // answer, then fetched.
    expect(first.get('columns')).toBe(ALWAYS);
    expect(fake.callsTo('runs')).toHaveLength(2);
    expect(fake.callsTo('runs')[1].params.get('columns')).toBe(
      `metrics.r2,metrics.rmse,params.alpha,params.solver,${ALWAYS}`
    );
    expect(table.columns).toEqual([
      'metrics.r2',
      'metrics.rmse',
      'params.alpha',
      'params.solver'
    ]);
  });

  it('polls the change marker and fetches rows only when it changed', async () => {
    const { fake, state } = server();
    const table = new RunsState({
      api: fake.api,
      defaultColumns: []
    });
    table.setExperiment('1');
    await table.refresh();
    const fetches = fake.callsTo('runs').length;

    expect(await table.poll()).toBe(false);
    expect(await table.poll()).toBe(false);
    expect(fake.callsTo('runs')).toHaveLength(fetches);
    expect(fake.callsTo('changes')[0].params.get('since')).toBe('m1');
    expect(fake.callsTo('changes')[0].params.get('experiment_id')).toBe('1');

    state.marker = 'm2';
    state.rows = [row('c', { status: 'RUNNING' }), ...state.rows];
    expect(await table.poll()).toBe(true);

    expect(fake.callsTo('runs')).toHaveLength(fetches + 1);
    expect(table.runs.map(r => r.run_id)).toEqual(['c', 'a', 'b']);
    expect(table.marker).toBe('m2');
    expect(await table.poll()).toBe(false);
  });

  it('fetches on the first poll when nothing was fetched yet', async () => {
    const { fake } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');

    expect(await table.poll()).toBe(true);

    expect(fake.callsTo('changes')).toHaveLength(0);
    expect(table.runs).toHaveLength(2);
  });

  it('tells fetched listeners why rows came', async () => {
    const { fake, state } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    const reasons: string[] = [];
    table.fetched.connect((_, f) => reasons.push(f.reason));
    table.setExperiment('1');
    await table.refresh();
    state.marker = 'm2';
    await table.poll();
    expect(reasons).toEqual(['load', 'poll']);

    // A notebook experiment just created by a run: its first rows are new.
    table.setExperiment('2', true);
    await table.poll();
    expect(reasons).toEqual(['load', 'poll', 'poll']);
  });

  it("shows a malformed filter's message and no rows, until the filter is fixed", async () => {
    const { fake } = server();
    const message =
      'Expected a value after < (at character 15)\n  metrics.rmse <\n                ^';
    const runs = fake.routes.runs;
    fake.routes.runs = call => {
      if (call.params.get('filter') === 'metrics.rmse <') {
        throw new HttpError(400, message);
      }
      return runs(call);
    };
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');
    await table.refresh();

    await table.setQuery({ filter: 'metrics.rmse <' });

    expect(table.queryError).toBe(message);
    expect(table.error).toBeNull();
    expect(table.runs).toEqual([]);

    await table.setQuery({ filter: 'metrics.rmse < 1' });

    expect(table.queryError).toBeNull();
    expect(table.runs).toHaveLength(2);
  });

  it('keeps the rows and reports other failures', async () => {
    const { fake, state } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');
    await table.refresh();
    fake.routes.runs = () => {
      throw new Error('server unreachable');
    };
    state.marker = 'm2';

    await table.poll();

    expect(table.error).toBe('server unreachable');
    expect(table.queryError).toBeNull();
    expect(table.runs).toHaveLength(2);
    expect(table.marker).toBe('m1'); // so the next poll tries again
  });

  it('sorts ascending, then descending, then in the server order', async () => {
    const { fake } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');
    const orders = (): Array<string | null> =>
      fake.callsTo('runs').map(c => c.params.get('order_by'));

    await table.toggleSort('metrics.rmse');
    await table.toggleSort('metrics.rmse');
    await table.toggleSort('metrics.rmse');
    await table.toggleSort('duration'); // not sortable: nothing asked

    expect(orders()).toEqual([
      'metrics.rmse ASC,attributes.start_time DESC',
      'metrics.rmse DESC,attributes.start_time DESC',
      null
    ]);
    expect(table.query.sort).toBeNull();
  });

  it('loads more pages and refetches as many rows as are loaded', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => row(`r${i}`));
    const { fake, state } = server(rows);
    const table = new RunsState({
      api: fake.api,
      defaultColumns: [],
      pageSize: 100
    });
    table.setExperiment('1');
    await table.refresh();
    expect(table.hasMore).toBe(true);

    await table.loadMore();
    expect(table.runs).toHaveLength(200);
    expect(fake.callsTo('runs')[1].params.get('page_token')).toBe('100');

    state.marker = 'm2';
    await table.poll();
    expect(fake.callsTo('runs')[2].params.get('max_results')).toBe('200');
    expect(table.runs).toHaveLength(200);

    await table.loadMore();
    expect(table.runs).toHaveLength(250);
    expect(table.hasMore).toBe(false);
  });

  it('drops an answer that a newer query overtook', async () => {
    const { fake } = server();
    let release: () => void = () => undefined;
    const slow = new Promise<void>(resolve => (release = resolve));
    const runs = fake.routes.runs;
    fake.routes.runs = async call => {
      if (call.params.get('filter') === 'slow') {
        await slow;
        return { runs: [row('stale')], keys: KEYS, marker: 'old' };
      }
      return runs(call);
    };
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');

    const first = table.setQuery({ filter: 'slow' });
    await table.setQuery({ filter: 'fast' });
    release();
    await first;

    expect(table.runs.map(r => r.run_id)).toEqual(['a', 'b']);
    expect(table.query.filter).toBe('fast');
  });

  it('keeps the selection across refreshes and announces changes', async () => {
    const { fake, state } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    const seen: string[][] = [];
    table.selectionChanged.connect((_, ids) => seen.push(ids));
    table.setExperiment('1');
    await table.refresh();

    table.selection.toggle('a');
    table.selection.select(['a', 'b'], true);
    state.marker = 'm2';
    await table.poll();

    expect(table.selection.ids).toEqual(['a', 'b']);
    expect(table.selection.has('b')).toBe(true);
    table.selection.select(['a'], false);
    expect(table.selection.ids).toEqual(['b']);
    table.selection.select(['b'], true); // no change: no signal
    table.selection.clear();
    table.selection.set(['b', 'a', 'b']); // from a plot, say
    expect(seen).toEqual([['a'], ['a', 'b'], ['b'], [], ['b', 'a']]);
    expect(table.selection.size).toBe(2);
  });

  it('clears the selection and restores each experiment’s own query on a switch', async () => {
    const { fake } = server();
    const table = new RunsState({ api: fake.api, defaultColumns: [] });
    table.setExperiment('1');
    await table.setQuery({
      filter: 'params.alpha = "1"',
      statuses: ['FAILED']
    });
    table.selection.select(['a'], true);

    table.setExperiment('2');
    expect(table.selection.ids).toEqual([]);
    expect(table.query.filter).toBe('');
    expect(table.runs).toEqual([]);

    table.setExperiment('1');
    expect(table.query.filter).toBe('params.alpha = "1"');
    expect(table.query.statuses).toEqual(['FAILED']);
  });

  it('fetches the columns the user chose, per experiment', async () => {
    const { fake } = server();
    const table = new RunsState({ api: fake.api });
    table.setExperiment('1');
    await table.refresh();

    await table.setColumns(['tags.team']);
    expect(table.columnsChosen).toBe(true);
    expect(fake.callsTo('runs').at(-1)!.params.get('columns')).toBe(
      `tags.team,${ALWAYS}`
    );
    expect(table.queryString).toContain('columns=tags.team');

    await table.setColumns(null);
    expect(table.columnsChosen).toBe(false);
    expect(table.columns).toContain('metrics.rmse');
  });
});
