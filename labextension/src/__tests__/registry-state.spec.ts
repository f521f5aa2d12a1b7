/**
 * The model page and its Serving tab against the fake server: the status is
 * polled only while the tab is shown, the test request's body comes from
 * the model's input example, stage histories follow stage changes.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals';

import { ModelPageState } from '../registry/state';
import { FakeServer, HttpError } from './fakeServer';

const VERSION = {
  name: 'm',
  version: 1,
  creation_timestamp: 1,
  last_updated_timestamp: 1,
  user_id: 'ada',
  current_stage: 'None',
  description: null,
  source: 'runs:/r1/model',
  run_id: 'r1',
  status: 'READY',
  status_message: null,
  tags: {},
  aliases: []
};

const STATUS = {
  name: 'm',
  enabled: true,
  state: 'ready',
  pid: 7,
  restarts: 0,
  last_exit_code: null,
  log_tail: null,
  versions: [],
  endpoints: [
    { ref: 'latest', version: 1, url: '/labtrack/serving/m/latest/invocations' }
  ]
};

function server(): { fake: FakeServer; stage: { now: string } } {
  const stage = { now: 'None' };
  const fake = new FakeServer({
    'registered-models/m': () => ({
      name: 'm',
      creation_timestamp: 1,
      last_updated_timestamp: 1,
      description: null,
      latest_versions: [],
      tags: {},
      aliases: {}
    }),
    'registered-models/m/versions': () => ({
      model_versions: [{ ...VERSION, current_stage: stage.now }],
      next_page_token: null
    }),
    'POST registered-models/m/versions/1/stage': call => {
      stage.now = call.body.stage;
      return { ...VERSION, current_stage: stage.now };
    },
    'registered-models/m/versions/1/transitions': () => ({ transitions: [] }),
    'PUT registered-models/m/aliases/v2': () => {
      throw new HttpError(400, "Invalid alias 'v2'");
    },
    'registered-models/m/serving': () => STATUS,
    'runs/r1': () => ({
      info: { run_id: 'r1', artifact_uri: '/a/r1' },
      data: { params: {}, metrics: {}, tags: {} }
    }),
    'runs/r1/artifacts/file': call =>
      call.params.get('path') === 'model/input_example.json'
        ? '{"columns": ["rooms"], "data": [[1]]}'
        : 'flavors: {}\n',
    'POST labtrack/serving/m/latest/invocations': () => ({ predictions: [7] })
  });
  return { fake, stage };
}

const flush = () => jest.advanceTimersByTimeAsync(0);

describe('ModelPageState', () => {
  let page: ModelPageState | null = null;
  const shown = { now: true };

  beforeEach(() => {
    jest.useFakeTimers();
    shown.now = true;
  });
  afterEach(() => {
    page?.dispose();
    page = null;
    jest.useRealTimers();
  });

  async function opened(fake: FakeServer): Promise<ModelPageState> {
    page = new ModelPageState({
      api: fake.api,
      name: 'm',
      baseUrl: 'http://localhost:8888/',
      isVisible: () => shown.now
    });
    await page.refresh();
    return page;
  }

  it('polls the serving status only while the Serving tab is shown', async () => {
    const { fake } = server();
    const state = await opened(fake);
    await jest.advanceTimersByTimeAsync(5000);
    expect(fake.callsTo('registered-models/m/serving')).toHaveLength(0);

    state.setTab('serving');
    await jest.advanceTimersByTimeAsync(4500);
    expect(fake.callsTo('registered-models/m/serving')).toHaveLength(3);
    expect(state.serving?.status?.state).toBe('ready');

    shown.now = false;
    state.followVisibility();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(fake.callsTo('registered-models/m/serving')).toHaveLength(3);

    state.setTab('versions');
    expect(state.serving).toBeNull();
  });

  it('ignores a status that arrives after the tab was hidden', async () => {
    const { fake } = server();
    const state = await opened(fake);
    let release: () => void = () => undefined;
    fake.routes['registered-models/m/serving'] = () =>
      new Promise(resolve => {
        release = () => resolve(STATUS);
      });
    state.setTab('serving');
    shown.now = false;
    state.followVisibility();
    release();
    await flush();
    expect(state.serving?.status).toBeNull();
  });

  it("offers the model's input example as the test request, and sends it", async () => {
    const { fake } = server();
    const state = await opened(fake);
    state.setTab('serving');
    await flush();
    const serving = state.serving!;
    expect(JSON.parse(serving.body)).toEqual({
      dataframe_split: { columns: ['rooms'], data: [[1]] }
    });
    expect(serving.url).toBe(
      'http://localhost:8888/labtrack/serving/m/latest/invocations'
    );

    serving.setBody('{"dataframe_split": ');
    await serving.send();
    expect(serving.sendError).toContain('The request body is not JSON');
    expect(
      fake.callsTo('labtrack/serving/m/latest/invocations', 'POST')
    ).toHaveLength(0);

    serving.resetBody();
    await serving.send();
    expect(serving.reply?.ok).toBe(true);
    expect(JSON.parse(serving.reply!.text)).toEqual({ predictions: [7] });
  });

  it("reads a logged model's input example from the model's own files", async () => {
    const { fake } = server();
    const id = 'm-0123456789abcdef0123456789abcdef';
    fake.routes['registered-models/m/versions'] = () => ({
      model_versions: [{ ...VERSION, model_id: id, source: `/a/models/${id}` }],
      next_page_token: null
    });
    fake.routes[`logged-models/${id}/artifacts/file`] = call =>
      call.params.get('path') === 'input_example.json'
        ? '{"columns": ["age"], "data": [[3]]}'
        : 'flavors: {}\n';
    const state = await opened(fake);
    state.setTab('serving');
    await flush();
    expect(JSON.parse(state.serving!.body)).toEqual({
      dataframe_split: { columns: ['age'], data: [[3]] }
    });
    expect(fake.callsTo('runs/r1/artifacts/file')).toEqual([]);
  });

  it("shows a refused change's message, and reads an open history again after a stage change", async () => {
    const { fake } = server();
    const state = await opened(fake);
    const v = state.versions[0];

    await state.setAlias(v, 'v2');
    expect(state.versionsError).toBe("Invalid alias 'v2'");

    state.toggleHistory(v);
    await flush();
    expect(state.history(1)?.rows).toEqual([]);
    await state.moveStage(v, 'Production', false);
    await flush();
    expect(state.versionsError).toBeNull();
    expect(state.versions[0].current_stage).toBe('Production');
    expect(
      fake.callsTo('registered-models/m/versions/1/transitions')
    ).toHaveLength(2);
  });
});
