import { describe, expect, it } from '@jest/globals';

import { NotebookSnapshots } from '../sidebar/snapshots';
import type { INotebookSource } from '../sidebar/types';
import { FakeServer, HttpError, row } from './fakeServer';

const flush = (): Promise<void> => new Promise(r => setTimeout(r, 0));

/** Notebooks open "in the page": kernel id -> live model. */
function source(kernels: Record<string, string>): INotebookSource {
  return {
    findByKernel: (kernelId: string) =>
      kernels[kernelId]
        ? {
            path: kernels[kernelId],
            toJSON: () => ({ cells: [{ source: `live ${kernelId}` }] })
          }
        : null
  };
}

const ours = (id: string, status = 'RUNNING'): any =>
  row(id, { status, tags: { 'labtrack.kernel.id': 'k1' } });

function setUp() {
  const fake = new FakeServer({ 'PUT runs/*': () => undefined });
  const snapshots = new NotebookSnapshots({
    api: fake.api,
    source: source({ k1: 'demo.ipynb' })
  });
  const puts = () =>
    fake.calls
      .filter(c => c.method === 'PUT')
      .map(c => `${c.path} ${c.body.path}`);
  return { fake, snapshots, puts };
}

describe('NotebookSnapshots', () => {
  it("stores a new run's live notebook when it starts and when it finishes", async () => {
    const { fake, snapshots, puts } = setUp();

    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1')],
      reason: 'poll'
    });
    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1')],
      reason: 'poll'
    });
    await flush();
    expect(puts()).toEqual(['runs/r1/notebook demo.ipynb']);
    expect(fake.calls[0].body.notebook).toEqual({
      cells: [{ source: 'live k1' }]
    });

    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1', 'FINISHED')],
      reason: 'poll'
    });
    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1', 'FINISHED')],
      reason: 'poll'
    });
    await flush();
    expect(puts()).toEqual([
      'runs/r1/notebook demo.ipynb',
      'runs/r1/notebook demo.ipynb'
    ]);
    expect(snapshots.stored).toEqual([
      { runId: 'r1', phase: 'start' },
      { runId: 'r1', phase: 'end' }
    ]);
  });

  it('stores a run first seen finished (a quick cell) once', async () => {
    const { snapshots, puts } = setUp();

    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1', 'FINISHED'), ours('r2', 'FAILED')],
      reason: 'poll'
    });
    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1', 'FINISHED')],
      reason: 'poll'
    });
    await flush();

    expect(puts()).toEqual([
      'runs/r1/notebook demo.ipynb',
      'runs/r2/notebook demo.ipynb'
    ]);
  });

  it('leaves alone runs of other kernels and runs that were there before', async () => {
    const { snapshots, puts } = setUp();

    snapshots.observe({
      experimentId: '1',
      rows: [
        row('other', { tags: { 'labtrack.kernel.id': 'k9' } }),
        row('script'),
        ours('old', 'FINISHED'),
        ours('running-before')
      ],
      reason: 'load'
    });
    snapshots.observe({
      experimentId: '1',
      rows: [ours('old', 'FINISHED')],
      reason: 'poll'
    });
    await flush();
    expect(puts()).toEqual([]);

    // A run that was already running gets its end version.
    snapshots.observe({
      experimentId: '1',
      rows: [ours('running-before', 'FINISHED')],
      reason: 'poll'
    });
    await flush();
    expect(puts()).toEqual(['runs/running-before/notebook demo.ipynb']);
  });

  it('checks runs the table no longer shows, one GET each', async () => {
    const { fake, snapshots, puts } = setUp();
    snapshots.observe({
      experimentId: '1',
      rows: [ours('r1')],
      reason: 'poll'
    });
    snapshots.observe({
      experimentId: '1',
      rows: [ours('r2')],
      reason: 'poll'
    });
    await flush();
    fake.routes['runs/r1'] = () => ({ info: { status: 'RUNNING' } });
    fake.routes['runs/r2'] = () => ({ info: { status: 'KILLED' } });

    await snapshots.poll(new Set());
    await snapshots.poll(new Set(['r1']));

    expect(puts()).toEqual([
      'runs/r1/notebook demo.ipynb',
      'runs/r2/notebook demo.ipynb',
      'runs/r2/notebook demo.ipynb'
    ]);
    expect(fake.callsTo('runs/r2')).toHaveLength(1);
    expect(fake.callsTo('runs/r1')).toHaveLength(1); // shown again: not asked
  });

  it('forgets a deleted run and survives a failed PUT', async () => {
    const { fake, snapshots } = setUp();
    fake.routes['PUT runs/*'] = () => {
      throw new HttpError(500, 'disk full');
    };
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      snapshots.observe({
        experimentId: '1',
        rows: [ours('r1')],
        reason: 'poll'
      });
      await flush();
      expect(snapshots.lastError).toBe('disk full');
      fake.routes['runs/r1'] = () => {
        throw new HttpError(404, 'No run r1');
      };
      await snapshots.poll(new Set());
      await snapshots.poll(new Set());
      expect(fake.callsTo('runs/r1')).toHaveLength(1);
    } finally {
      console.warn = warn;
    }
  });
});
