/** The compare view's state against the fake server. */
import { describe, expect, it } from '@jest/globals';

import { CompareState } from '../compare/state';
import { FakeServer, HttpError } from './fakeServer';

const KEYS = { params: ['lr'], metrics: ['loss', 'acc'], tags: [] };

function server(): FakeServer {
  return new FakeServer({
    compare: () => ({ runs: [], keys: KEYS, differing: KEYS }),
    'metrics-bulk': call => ({
      series: [
        {
          run_id: 'a',
          run_name: 'a',
          key: call.params.get('keys'),
          total: 0,
          downsampled: false,
          points: []
        }
      ]
    }),
    'runs/a/notebook/diff': call => ({
      diff: [],
      text: `a vs ${call.params.get('other')}`
    })
  });
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('CompareState', () => {
  it('reads the runs once for every run id', async () => {
    const fake = server();
    const state = new CompareState(fake.api, ['a', 'b']);
    await state.refresh();
    expect(state.reply?.keys).toEqual(KEYS);
    expect(fake.callsTo('compare')[0].params.get('run_ids')).toBe('a,b');
  });

  it('reads the runs again when they changed between the first read and the first poll', async () => {
    let name = 'old-name';
    const fake = server();
    fake.routes.compare = () => ({
      runs: [
        {
          info: { run_id: 'a', run_name: name, experiment_id: '1' },
          data: { params: [], metrics: [], tags: [] }
        }
      ],
      keys: KEYS,
      differing: KEYS
    });
    fake.routes.changes = () => ({ marker: 'm1', changed: true });
    const state = new CompareState(fake.api, ['a']);
    await state.refresh();
    let emitted = 0;
    state.changed.connect(() => (emitted += 1));

    // Nothing changed: the first poll reads the runs again and redraws nothing.
    state.setActive(true);
    await flush();
    await flush();
    expect(fake.callsTo('compare')).toHaveLength(2);
    expect(emitted).toBe(0);

    // Renamed before the poll's first marker: the new name shows.
    state.setActive(false);
    const other = new CompareState(fake.api, ['a']);
    await other.refresh();
    name = 'new-name';
    other.setActive(true);
    await flush();
    await flush();
    expect(other.reply?.runs[0].info.run_name).toBe('new-name');
    other.dispose();
    state.dispose();
  });

  it("charts the first metric's histories when the history tab opens", async () => {
    const fake = server();
    const state = new CompareState(fake.api, ['a', 'b']);
    await state.refresh();
    expect(fake.callsTo('metrics-bulk')).toHaveLength(0);

    state.setTab('history');
    await flush();
    expect(state.historyMetric).toBe('metrics.loss');
    expect(state.history[0].key).toBe('loss');

    state.setHistoryMetric('metrics.acc');
    await flush();
    expect(state.history[0].key).toBe('acc');
    expect(fake.callsTo('metrics-bulk').map(c => c.params.get('keys'))).toEqual(
      ['loss', 'acc']
    );
  });

  it('keeps only the answer for the metric chosen last', async () => {
    const fake = server();
    const state = new CompareState(fake.api, ['a']);
    await state.refresh();
    const answer = fake.routes['metrics-bulk'];
    let release: () => void = () => undefined;
    fake.routes['metrics-bulk'] = call =>
      call.params.get('keys') === 'loss'
        ? new Promise(resolve => {
            release = () => resolve(answer(call));
          })
        : answer(call);

    state.setTab('history'); // loss: slow
    state.setHistoryMetric('metrics.acc');
    await flush();
    release();
    await flush();

    expect(state.history[0].key).toBe('acc');
  });

  it('diffs two notebooks; a new choice clears the diff', async () => {
    const fake = server();
    const state = new CompareState(fake.api, ['a', 'b']);
    await state.diffNotebooks('a', 'b');
    expect(state.notebookDiff).toEqual({
      text: 'a vs b',
      error: null,
      busy: false
    });
    state.clearNotebookDiff();
    expect(state.notebookDiff.text).toBeNull();

    fake.routes['runs/a/notebook/diff'] = () => {
      throw new HttpError(404, 'no notebook');
    };
    await state.diffNotebooks('a', 'b');
    expect(state.notebookDiff.error).toBe('no notebook');
  });
});
