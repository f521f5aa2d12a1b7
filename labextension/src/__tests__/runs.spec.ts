import { describe, expect, it } from '@jest/globals';

import { RunsModel } from '../models/runs';
import { FakeServer, HttpError, KEYS, row } from './fakeServer';

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

describe('RunsModel', () => {
  it('fetches the first page of the experiment with the default columns', async () => {
    const { fake } = server();
    const model = new RunsModel({ request: fake.request, pageSize: 25 });
    model.setExperiment('1');

    await model.refresh();

    expect(model.runs.map(r => r.run_id)).toEqual(['a', 'b']);
    expect(model.keys).toEqual(KEYS);
    expect(model.marker).toBe('m1');
    expect(model.loading).toBe(false);
    const first = fake.callsTo('runs')[0].params;
    expect(first.get('experiment_id')).toBe('1');
    expect(first.get('max_results')).toBe('25');
    // Keys unknown at first: `metrics.*` and `params.*` are resolved from the
    // answer, then fetched.
    expect(first.get('columns')).toBe('tags.labtrack.kernel.id');
    expect(fake.callsTo('runs')).toHaveLength(2);
    expect(fake.callsTo('runs')[1].params.get('columns')).toBe(
      'metrics.r2,metrics.rmse,params.alpha,params.solver,tags.labtrack.kernel.id'
    );
    expect(model.columns).toEqual([
      'metrics.r2',
      'metrics.rmse',
      'params.alpha',
      'params.solver'
    ]);
  });

  it('polls the change marker and fetches rows only when it changed', async () => {
    const { fake, state } = server();
    const model = new RunsModel({
      request: fake.request,
      defaultColumns: []
    });
    model.setExperiment('1');
    await model.refresh();
    const fetches = fake.callsTo('runs').length;

    expect(await model.poll()).toBe(false);
    expect(await model.poll()).toBe(false);
    expect(fake.callsTo('runs')).toHaveLength(fetches);
    expect(fake.callsTo('changes')[0].params.get('since')).toBe('m1');
    expect(fake.callsTo('changes')[0].params.get('experiment_id')).toBe('1');

    state.marker = 'm2';
    state.rows = [row('c', { status: 'RUNNING' }), ...state.rows];
    expect(await model.poll()).toBe(true);

    expect(fake.callsTo('runs')).toHaveLength(fetches + 1);
    expect(model.runs.map(r => r.run_id)).toEqual(['c', 'a', 'b']);
    expect(model.marker).toBe('m2');
    expect(await model.poll()).toBe(false);
  });

  it('fetches on the first poll when nothing was fetched yet', async () => {
    const { fake } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');

    expect(await model.poll()).toBe(true);

    expect(fake.callsTo('changes')).toHaveLength(0);
    expect(model.runs).toHaveLength(2);
  });

  it('tells fetched listeners why rows came', async () => {
    const { fake, state } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    const reasons: string[] = [];
    model.fetched.connect((_, f) => reasons.push(f.reason));
    model.setExperiment('1');
    await model.refresh();
    state.marker = 'm2';
    await model.poll();
    expect(reasons).toEqual(['load', 'poll']);

    // A notebook experiment just created by a run: its first rows are new.
    model.setExperiment('2', true);
    await model.poll();
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
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');
    await model.refresh();

    await model.setQuery({ filter: 'metrics.rmse <' });

    expect(model.queryError).toBe(message);
    expect(model.error).toBeNull();
    expect(model.runs).toEqual([]);

    await model.setQuery({ filter: 'metrics.rmse < 1' });

    expect(model.queryError).toBeNull();
    expect(model.runs).toHaveLength(2);
  });

  it('keeps the rows and reports other failures', async () => {
    const { fake, state } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');
    await model.refresh();
    fake.routes.runs = () => {
      throw new Error('server unreachable');
    };
    state.marker = 'm2';

    await model.poll();

    expect(model.error).toBe('server unreachable');
    expect(model.queryError).toBeNull();
    expect(model.runs).toHaveLength(2);
    expect(model.marker).toBe('m1'); // so the next poll tries again
  });

  it('sorts ascending, then descending, then in the server order', async () => {
    const { fake } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');
    const orders = (): Array<string | null> =>
      fake.callsTo('runs').map(c => c.params.get('order_by'));

    await model.toggleSort('metrics.rmse');
    await model.toggleSort('metrics.rmse');
    await model.toggleSort('metrics.rmse');
    await model.toggleSort('duration'); // not sortable: nothing asked

    expect(orders()).toEqual([
      'metrics.rmse ASC,attributes.start_time DESC',
      'metrics.rmse DESC,attributes.start_time DESC',
      null
    ]);
    expect(model.query.sort).toBeNull();
  });

  it('loads more pages and refetches as many rows as are loaded', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => row(`r${i}`));
    const { fake, state } = server(rows);
    const model = new RunsModel({
      request: fake.request,
      defaultColumns: [],
      pageSize: 100
    });
    model.setExperiment('1');
    await model.refresh();
    expect(model.hasMore).toBe(true);

    await model.loadMore();
    expect(model.runs).toHaveLength(200);
    expect(fake.callsTo('runs')[1].params.get('page_token')).toBe('100');

    state.marker = 'm2';
    await model.poll();
    expect(fake.callsTo('runs')[2].params.get('max_results')).toBe('200');
    expect(model.runs).toHaveLength(200);

    await model.loadMore();
    expect(model.runs).toHaveLength(250);
    expect(model.hasMore).toBe(false);
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
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');

    const first = model.setQuery({ filter: 'slow' });
    await model.setQuery({ filter: 'fast' });
    release();
    await first;

    expect(model.runs.map(r => r.run_id)).toEqual(['a', 'b']);
    expect(model.query.filter).toBe('fast');
  });

  it('keeps the selection across refreshes and announces changes', async () => {
    const { fake, state } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    const seen: string[][] = [];
    model.selectionChanged.connect((_, ids) => seen.push(ids));
    model.setExperiment('1');
    await model.refresh();

    model.selection.toggle('a');
    model.selection.select(['a', 'b'], true);
    state.marker = 'm2';
    await model.poll();

    expect(model.selection.ids).toEqual(['a', 'b']);
    expect(model.selection.has('b')).toBe(true);
    model.selection.select(['a'], false);
    expect(model.selection.ids).toEqual(['b']);
    model.selection.select(['b'], true); // no change: no signal
    model.selection.clear();
    model.selection.set(['b', 'a', 'b']); // from a plot, say
    expect(seen).toEqual([['a'], ['a', 'b'], ['b'], [], ['b', 'a']]);
    expect(model.selection.size).toBe(2);
  });

  it('clears the selection and restores each experiment’s own query on a switch', async () => {
    const { fake } = server();
    const model = new RunsModel({ request: fake.request, defaultColumns: [] });
    model.setExperiment('1');
    await model.setQuery({
      filter: 'params.alpha = "1"',
      statuses: ['FAILED']
    });
    model.selection.select(['a'], true);

    model.setExperiment('2');
    expect(model.selection.ids).toEqual([]);
    expect(model.query.filter).toBe('');
    expect(model.runs).toEqual([]);

    model.setExperiment('1');
    expect(model.query.filter).toBe('params.alpha = "1"');
    expect(model.query.statuses).toEqual(['FAILED']);
  });

  it('fetches the columns the user chose, per experiment', async () => {
    const { fake } = server();
    const model = new RunsModel({ request: fake.request });
    model.setExperiment('1');
    await model.refresh();

    await model.setColumns(['tags.team']);
    expect(model.columnsChosen).toBe(true);
    expect(fake.callsTo('runs').at(-1)!.params.get('columns')).toBe(
      'tags.team,tags.labtrack.kernel.id'
    );
    expect(model.queryString).toContain('columns=tags.team');

    await model.setColumns(null);
    expect(model.columnsChosen).toBe(false);
    expect(model.columns).toContain('metrics.rmse');
  });
});
