/**
 * "Reproduce run" against the fake server: the job is polled while it is
 * queued or running, retried after a failed poll, and no longer after it
 * ended, vanished or the dialog closed.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals';

import { ReproduceState } from '../reproduce/state';
import { FakeServer, HttpError } from './fakeServer';

const INFO = {
  run_id: 'r1',
  notebook: 'demo.ipynb',
  parameters: [
    { name: 'n', value: 3, text: '3', kind: 'number', default: '3' }
  ],
  environment: []
};

const job = (state: string) => ({
  job_id: 'j1',
  run_id: 'r1',
  state,
  params: {},
  progress: { done: 0, total: 2 },
  drift: [],
  environment: [],
  error: null
});

/** A server whose job runs for `polls` polls, then finishes. */
function server(polls: number): FakeServer {
  const fake = new FakeServer({
    'runs/r1/reproduce': () => INFO,
    'POST runs/r1/reproduce': () => job('queued')
  });
  fake.routes['runs/r1/reproduce/j1'] = () =>
    job(
      fake.callsTo('runs/r1/reproduce/j1').length < polls
        ? 'running'
        : 'finished'
    );
  return fake;
}

async function started(fake: FakeServer): Promise<ReproduceState> {
  const state = new ReproduceState(fake.api, 'r1');
  await state.load();
  state.edit('n', '5');
  await state.start();
  return state;
}

describe('ReproduceState', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts with the changed params and polls until the job ends', async () => {
    const fake = server(3);
    const state = await started(fake);
    expect(fake.callsTo('runs/r1/reproduce', 'POST')[0].body).toEqual({
      params: { n: '5' }
    });
    expect(fake.callsTo('runs/r1/reproduce/j1')).toHaveLength(0);

    await jest.advanceTimersByTimeAsync(1000 * 10);

    expect(fake.callsTo('runs/r1/reproduce/j1')).toHaveLength(3);
    expect(state.job?.state).toBe('finished');
    expect(state.isPolling).toBe(false);
    state.dispose();
  });

  it('retries a failed poll, but not a job the server no longer knows', async () => {
    const fake = server(1000);
    const state = await started(fake);
    const ok = fake.routes['runs/r1/reproduce/j1'];
    fake.routes['runs/r1/reproduce/j1'] = () => {
      throw new HttpError(503, 'busy');
    };
    await jest.advanceTimersByTimeAsync(1000);
    expect(state.error).toBe('busy');
    fake.routes['runs/r1/reproduce/j1'] = ok;
    await jest.advanceTimersByTimeAsync(1000);
    expect(state.error).toBeNull();

    fake.routes['runs/r1/reproduce/j1'] = () => {
      throw new HttpError(404, 'No job j1');
    };
    await jest.advanceTimersByTimeAsync(1000);
    const asked = fake.calls.length;
    await jest.advanceTimersByTimeAsync(1000 * 10);
    expect(fake.calls.length).toBe(asked);
    expect(state.error).toBe('No job j1');
    state.dispose();
  });

  it('stops polling when the dialog closes', async () => {
    const fake = server(1000);
    const state = await started(fake);
    await jest.advanceTimersByTimeAsync(1000);
    state.dispose();
    await jest.advanceTimersByTimeAsync(1000 * 10);
    expect(fake.callsTo('runs/r1/reproduce/j1')).toHaveLength(1);
  });
});
