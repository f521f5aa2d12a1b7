import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { LabtrackModel } from '../model';
import type { IStoreInfo, RequestAPI } from '../tokens';

const STORE: IStoreInfo = {
  tracking_uri: 'sqlite:////home/me/.labtrack/labtrack.db',
  artifact_root: '/home/me/.labtrack/artifacts'
};

/** A request function that answers from a table and records what was asked. */
function fakeRequest(answer: () => unknown): {
  request: RequestAPI;
  calls: string[];
} {
  const calls: string[] = [];
  const request = (async (endPoint: string) => {
    calls.push(endPoint);
    return answer();
  }) as RequestAPI;
  return { request, calls };
}

describe('LabtrackModel', () => {
  let model: LabtrackModel | null = null;

  afterEach(() => {
    model?.dispose();
    model = null;
    jest.useRealTimers();
  });

  it('fetches the store info from the store endpoint', async () => {
    const { request, calls } = fakeRequest(() => STORE);
    model = new LabtrackModel({ request });
    expect(model.loading).toBe(true);

    await model.refresh();

    expect(calls).toEqual(['store']);
    expect(model.storeInfo).toEqual(STORE);
    expect(model.error).toBeNull();
    expect(model.loading).toBe(false);
  });

  it('emits changed only when something changed', async () => {
    const { request } = fakeRequest(() => ({ ...STORE }));
    model = new LabtrackModel({ request });
    let emitted = 0;
    model.changed.connect(() => {
      emitted += 1;
    });

    await model.refresh();
    await model.refresh();

    expect(emitted).toBe(1);
  });

  it('keeps the last store info and reports the error when a fetch fails', async () => {
    let fail = false;
    const { request } = fakeRequest(() => {
      if (fail) {
        throw new Error('server unreachable');
      }
      return STORE;
    });
    model = new LabtrackModel({ request });
    await model.refresh();

    fail = true;
    await model.refresh();

    expect(model.error).toBe('server unreachable');
    expect(model.storeInfo).toEqual(STORE);
  });

  it('polls while started and stops when stopped', async () => {
    jest.useFakeTimers();
    const { request, calls } = fakeRequest(() => STORE);
    model = new LabtrackModel({ request, pollInterval: 1000 });

    model.start();
    await jest.advanceTimersByTimeAsync(3500);
    const whileStarted = calls.length;
    model.stop();
    await jest.advanceTimersByTimeAsync(5000);

    expect(whileStarted).toBe(4); // one at start, then one per second
    expect(calls.length).toBe(whileStarted);
  });

  it('starts once however many views ask', async () => {
    jest.useFakeTimers();
    const { request, calls } = fakeRequest(() => STORE);
    model = new LabtrackModel({ request, pollInterval: 1000 });

    model.start();
    model.start();
    await jest.advanceTimersByTimeAsync(1500);

    expect(calls.length).toBe(2); // one at start, one after a second
  });

  it('does not poll when the interval is 0', async () => {
    jest.useFakeTimers();
    const { request, calls } = fakeRequest(() => STORE);
    model = new LabtrackModel({ request, pollInterval: 0 });

    model.start();
    await jest.advanceTimersByTimeAsync(10000);

    expect(calls.length).toBe(1);
  });
});
