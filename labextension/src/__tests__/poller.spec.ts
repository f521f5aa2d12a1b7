/**
 * The one poller every view polls through: ticks one at a time, on
 * schedule only while started, nothing after a stop or a dispose.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals';

import { Poller } from '../common/poller';

/** A tick that counts its calls and can be held until released. */
function ticker(): {
  tick: () => Promise<void>;
  calls: () => number;
  hold: () => void;
  release: () => void;
} {
  let calls = 0;
  let held = false;
  let waiting: Array<() => void> = [];
  return {
    tick: () => {
      calls += 1;
      return held
        ? new Promise<void>(resolve => waiting.push(resolve))
        : Promise.resolve();
    },
    calls: () => calls,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      waiting.forEach(resolve => resolve());
      waiting = [];
    }
  };
}

describe('Poller', () => {
  let poller: Poller | null = null;

  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    poller?.dispose();
    poller = null;
    jest.useRealTimers();
  });

  it('ticks at once, then every interval while started', async () => {
    const t = ticker();
    poller = new Poller(t.tick, 1000);
    poller.start();
    expect(t.calls()).toBe(1);
    await jest.advanceTimersByTimeAsync(3500);
    expect(t.calls()).toBe(4);
    poller.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(t.calls()).toBe(4);
  });

  it('waits one interval first when started with now = false', async () => {
    const t = ticker();
    poller = new Poller(t.tick, 1000);
    poller.start(false);
    await jest.advanceTimersByTimeAsync(999);
    expect(t.calls()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(t.calls()).toBe(1);
  });

  it('runs one tick at a time: a kick during a tick follows it', async () => {
    const t = ticker();
    poller = new Poller(t.tick, 1000);
    t.hold();
    poller.start();
    poller.kick();
    poller.kick();
    expect(t.calls()).toBe(1);
    t.release();
    await jest.advanceTimersByTimeAsync(0);
    expect(t.calls()).toBe(2);
  });

  it('schedules nothing after a tick that stopped it', async () => {
    let calls = 0;
    poller = new Poller(async () => {
      calls += 1;
      if (calls === 2) {
        poller?.stop();
      }
    }, 1000);
    poller.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    expect(poller.started).toBe(false);
  });

  it('schedules nothing once disposed, even with a tick in flight', async () => {
    const t = ticker();
    poller = new Poller(t.tick, 1000);
    t.hold();
    poller.start();
    poller.dispose();
    t.release();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.calls()).toBe(1);
    poller.start();
    expect(t.calls()).toBe(1);
  });

  it('ticks only when kicked with an interval of 0', async () => {
    const t = ticker();
    poller = new Poller(t.tick, 0);
    poller.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(t.calls()).toBe(1);
    poller.kick();
    expect(t.calls()).toBe(2);
  });
});
