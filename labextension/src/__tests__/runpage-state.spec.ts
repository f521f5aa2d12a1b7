/**
 * What a run page fetches besides the run (child runs, metric ranges and
 * charts, artifacts, the captured notebook), against the fake server.
 */
import { describe, expect, it } from '@jest/globals';

import { RunPageState } from '../runpage/state';
import { FakeServer, HttpError, row } from './fakeServer';

const RUN = {
  info: {
    run_id: 'r1',
    run_name: 'owl',
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 0,
    end_time: 10,
    user_id: 'ana',
    lifecycle_stage: 'active',
    artifact_uri: '/a/r1'
  },
  data: { params: {}, metrics: { acc: 0.5, loss: 2 }, tags: {} }
};

const history = (values: number[]) => ({
  total: values.length,
  downsampled: false,
  points: values.map((value, step) => ({ step, timestamp: step, value }))
});

function server(): FakeServer {
  return new FakeServer({
    'runs/r1': () => RUN,
    'PATCH runs/r1': call => ({
      ...RUN,
      info: { ...RUN.info, run_name: call.body.name }
    }),
    runs: () => ({ runs: [row('kid')], next_page_token: null }),
    'runs/r1/metrics/acc': () => history([0.1, 0.9, 0.5]),
    'runs/r1/metrics/loss': () => history([3, 1, 2]),
    'runs/r1/artifacts': call =>
      call.params.get('path') === ''
        ? {
            path: '',
            files: [
              { path: 'model', is_dir: true },
              { path: 'notes.txt', is_dir: false, file_size: 5 }
            ]
          }
        : {
            path: call.params.get('path'),
            files: [{ path: 'model/sub', is_dir: true }]
          },
    'runs/r1/artifacts/file': () => 'hello',
    'runs/r1/notebook': () => ({ cells: [] }),
    'logged-models/m-1/artifacts': () => ({
      path: '',
      files: [{ path: 'MLmodel', is_dir: false, file_size: 300 }]
    }),
    'logged-models/m-1/artifacts/file': () => 'flavors: {}'
  });
}

async function loaded(fake: FakeServer): Promise<RunPageState> {
  const state = new RunPageState({
    api: fake.api,
    runId: 'r1',
    isVisible: () => true
  });
  await state.refresh();
  await new Promise(resolve => setTimeout(resolve, 0));
  return state;
}

describe('RunPageState', () => {
  it("lists a logged model's files from the model, not the run, when shown", async () => {
    const fake = server();
    const state = await loaded(fake);
    expect(fake.callsTo('logged-models/m-1/artifacts')).toEqual([]);

    state.toggleModel('m-1');
    await new Promise(resolve => setTimeout(resolve, 0));

    expect(state.openModel).toBe('m-1');
    expect(
      state
        .modelFiles('m-1')
        .folder('')
        ?.files?.map(f => f.path)
    ).toEqual(['MLmodel']);
    await state.modelFiles('m-1').select({ path: 'MLmodel', is_dir: false });
    expect(fake.callsTo('logged-models/m-1/artifacts/file')).toHaveLength(1);
    expect(fake.callsTo('runs/r1/artifacts/file')).toEqual([]);
    state.toggleModel('m-1');
    expect(state.openModel).toBeNull();
    state.dispose();
  });

  it('reads the child runs and the artifacts once, the ranges on every fetch', async () => {
    const fake = server();
    const state = await loaded(fake);

    expect(state.children.map(c => c.run_id)).toEqual(['kid']);
    expect(fake.callsTo('runs')[0].params.get('filter')).toBe(
      "tags.`mlflow.parentRunId` = 'r1'"
    );
    expect(state.ranges).toEqual({
      acc: { last: 0.5, min: 0.1, max: 0.9 },
      loss: { last: 2, min: 1, max: 3 }
    });
    expect(
      fake.callsTo('runs/r1/metrics/acc')[0].params.get('max_points')
    ).toBe('200');
    expect(state.artifacts.folder('')?.files).toHaveLength(2);

    await state.refresh();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(fake.callsTo('runs')).toHaveLength(1);
    expect(fake.callsTo('runs/r1/artifacts')).toHaveLength(1);
    // Ranges (200 points) and the chart (the first metric) each time.
    expect(fake.callsTo('runs/r1/metrics/acc')).toHaveLength(4);
    expect(state.isPolling).toBe(false); // a finished run
    state.dispose();
  });

  it('charts the first metric, and fetches again only for a new choice', async () => {
    const fake = server();
    const state = await loaded(fake);
    const charts = state.charts;
    expect(charts.chosen).toEqual(['acc']);
    expect(charts.series.map(s => s.key)).toEqual(['acc']);
    const asked = fake.calls.length;

    charts.toggle('loss');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(charts.series.map(s => s.key)).toEqual(['acc', 'loss']);
    expect(fake.calls.length).toBe(asked + 2);

    // Both are shown split too: nothing new to fetch.
    charts.setSplit(true);
    expect(fake.calls.length).toBe(asked + 2);

    fake.routes['runs/r1/metrics/loss'] = () => {
      throw new HttpError(500, 'no history');
    };
    charts.setSplit(false);
    charts.toggle('acc');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(charts.error).toBe('no history');
    state.dispose();
  });

  it('lists a folder when opened, and closes the folders inside it with it', async () => {
    const fake = server();
    const state = await loaded(fake);
    const artifacts = state.artifacts;

    artifacts.toggle('model');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(artifacts.folder('model')?.files?.map(f => f.path)).toEqual([
      'model/sub'
    ]);
    artifacts.toggle('model/sub');
    artifacts.toggle('model');
    expect(artifacts.isOpen('model')).toBe(false);
    expect(artifacts.isOpen('model/sub')).toBe(false);

    artifacts.toggle('model');
    expect(artifacts.folder('model')?.files).toBeNull(); // listed again
    state.dispose();
  });

  it('previews a file once, however often it is chosen', async () => {
    const fake = server();
    const state = await loaded(fake);
    const file = { path: 'notes.txt', is_dir: false };

    await state.artifacts.select(file);
    await state.artifacts.select({ ...file });

    expect(state.artifacts.preview).toEqual({ kind: 'text', text: 'hello' });
    expect(fake.callsTo('runs/r1/artifacts/file')).toHaveLength(1);
    state.dispose();
  });

  it('saves an edit and shows the run the server answers', async () => {
    const fake = server();
    const state = await loaded(fake);

    await state.update({ name: 'eagle' });

    expect(fake.callsTo('runs/r1', 'PATCH')[0].body).toEqual({ name: 'eagle' });
    expect(state.run?.info.run_name).toBe('eagle');
    state.dispose();
  });

  it('reads the captured notebook when first shown', async () => {
    const fake = server();
    const state = await loaded(fake);

    state.toggleNotebook();
    await new Promise(resolve => setTimeout(resolve, 0));
    state.toggleNotebook();
    state.toggleNotebook();

    expect(state.notebook).toEqual({ cells: [] });
    expect(fake.callsTo('runs/r1/notebook')).toHaveLength(1);
    state.dispose();
  });
});
