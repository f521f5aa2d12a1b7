/**
 * The run page's live refresh (RunPageState) against the fake server: it
 * polls while the run is RUNNING and the page visible, and stops for good
 * when the run ends or the page is closed.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals';

import type { IRunDetail } from '../api/types';
import { RunPageState } from '../runpage/state';
import { FakeServer, HttpError } from './fakeServer';

const detail = (status: string): IRunDetail =>
  ({
    info: { run_id: 'r1', run_name: 'owl', status },
    data: { params: {}, metrics: {}, tags: {} }
  }) as unknown as IRunDetail;

/** A server whose run reports RUNNING for `running` fetches, then FINISHED. */
function liveServer(running: number): FakeServer {
  const server = new FakeServer();
  server.routes['runs/r1'] = () =>
    detail(
      server.callsTo('runs/r1').length <= running ? 'RUNNING' : 'FINISHED'
    );
  return server;
}

/** A run page's state; `seen` gets the status (or the error) of every fetch. */
function poller(
  server: FakeServer,
  visible: { shown: boolean },
  seen: string[] = []
): RunPageState {
  const state = new RunPageState({
    api: server.api,
    runId: 'r1',
    isVisible: () => visible.shown,
    interval: 2000
  });
  let fetches = 0;
  state.changed.connect(() => {
    if (state.fetches !== fetches) {
      fetches = state.fetches;
      seen.push(state.error ?? state.run?.info.status ?? '');
    }
  });
  return state;
}

/** A run page's state that has fetched once. */
async function started(
  running: number,
  visible = { shown: true }
): Promise<{ server: FakeServer; p: RunPageState; seen: string[] }> {
  const server = liveServer(running);
  const seen: string[] = [];
  const p = poller(server, visible, seen);
  await p.refresh();
  return { server, p, seen };
}

describe('run page live refresh', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('polls while the run is running and stops when it ends', async () => {
    const { server, p, seen } = await started(3);
    await jest.advanceTimersByTimeAsync(2000 * 10);
    // Three RUNNING replies, then FINISHED: no fetch after that.
    expect(seen).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'FINISHED']);
    expect(server.callsTo('runs/r1')).toHaveLength(4);
    expect(p.isPolling).toBe(false);
    p.resume(); // shown again later: a finished run is not polled
    await jest.advanceTimersByTimeAsync(2000 * 5);
    expect(server.callsTo('runs/r1')).toHaveLength(4);
  });

  it('stops when the page is closed, even with a reply on its way', async () => {
    let release: () => void = () => undefined;
    const { server, p } = await started(1000);
    await jest.advanceTimersByTimeAsync(2000);
    expect(server.callsTo('runs/r1')).toHaveLength(2);
    // The next reply is slow; the page closes before it arrives.
    const slow = server.routes['runs/r1'];
    server.routes['runs/r1'] = call =>
      new Promise(resolve => {
        release = () => resolve(slow(call));
      });
    await jest.advanceTimersByTimeAsync(2000);
    expect(server.callsTo('runs/r1')).toHaveLength(3);
    p.dispose();
    release();
    await jest.advanceTimersByTimeAsync(2000 * 10);
    expect(server.callsTo('runs/r1')).toHaveLength(3);
    expect(p.isPolling).toBe(false);
  });

  it('pauses while hidden and resumes when shown', async () => {
    const visible = { shown: true };
    const { server, p } = await started(1000, visible);
    visible.shown = false;
    p.pause();
    await jest.advanceTimersByTimeAsync(2000 * 5);
    expect(server.callsTo('runs/r1')).toHaveLength(1);
    visible.shown = true;
    p.resume();
    await jest.advanceTimersByTimeAsync(2000);
    expect(server.callsTo('runs/r1')).toHaveLength(2);
    p.dispose();
  });

  it('keeps polling a running run through a failed fetch, showing the error', async () => {
    const { server, p, seen } = await started(1000);
    const ok = server.routes['runs/r1'];
    server.routes['runs/r1'] = () => {
      throw new HttpError(503, 'server busy');
    };
    await jest.advanceTimersByTimeAsync(2000);
    server.routes['runs/r1'] = ok;
    await jest.advanceTimersByTimeAsync(2000);
    expect(seen).toEqual(['RUNNING', 'server busy', 'RUNNING']);
    p.dispose();
  });
});
