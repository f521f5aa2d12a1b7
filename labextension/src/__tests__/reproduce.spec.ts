import { describe, expect, it } from '@jest/globals';

import type {
  IReproduceParameter,
  IReproductionJob,
  JobState
} from '../api/types';
import * as logic from '../reproduce/logic';

const parameters: IReproduceParameter[] = [
  { name: 'n', value: 3, text: '3', kind: 'number', default: '3' },
  { name: 'name', value: 'rf', text: 'rf', kind: 'str', default: 'rf' }
];

function job(state: JobState, done: number, total: number): IReproductionJob {
  return {
    job_id: 'j1',
    run_id: 'r1',
    state,
    params: {},
    progress: { done, total },
    created: 0,
    started: null,
    finished: null,
    new_run_id: null,
    status: null,
    parameters: null,
    drift: [],
    environment: [],
    error: null
  };
}

describe('the params a reproduction sends', () => {
  it('sends only the params whose text changed', () => {
    expect(logic.changedParams(parameters, { n: '3', name: 'rf' })).toEqual({});
    expect(logic.changedParams(parameters, { n: '5', name: 'rf' })).toEqual({
      n: '5'
    });
    expect(logic.changedParams(parameters, { name: '' })).toEqual({ name: '' });
  });

  it('names what each kind of param takes', () => {
    expect(logic.kindHint('number')).toBe('number');
    expect(logic.kindHint('str')).toBe('text');
    expect(logic.kindHint('bool')).toBe('True or False');
    expect(logic.kindHint('literal')).toBe('Python literal');
  });
});

describe('the progress of a job', () => {
  it('says cell n of m while running, and what it waits for before', () => {
    expect(logic.progressLabel(job('queued', 0, 0))).toBe(
      'Waiting for another reproduction to finish…'
    );
    expect(logic.progressLabel(job('running', 0, 0))).toBe(
      'Starting a kernel…'
    );
    expect(logic.progressLabel(job('running', 2, 5))).toBe('cell 2 of 5');
    expect(logic.progressLabel(job('finished', 5, 5))).toBe(
      'Done: 5 cells run'
    );
    expect(logic.progressLabel(job('failed', 4, 5))).toBe(
      'Stopped at cell 4 of 5'
    );
    expect(logic.progressLabel(job('failed', 0, 0))).toBe(
      'Failed before the first cell'
    );
  });

  it('is a fraction of the cells, 0 while the total is unknown', () => {
    expect(logic.progressFraction(job('running', 0, 0))).toBe(0);
    expect(logic.progressFraction(job('running', 2, 5))).toBe(0.4);
    expect(logic.progressFraction(job('finished', 5, 5))).toBe(1);
  });

  it('is polled only while queued or running', () => {
    expect(logic.isActive('queued')).toBe(true);
    expect(logic.isActive('running')).toBe(true);
    expect(logic.isActive('finished')).toBe(false);
    expect(logic.isActive('failed')).toBe(false);
  });
});

describe('the report', () => {
  it('formats the drift and tells which way each metric moved', () => {
    const rows = logic.driftText([
      { metric: 'score', original: 1.5, new: 2.5, difference: 1 },
      { metric: 'loss', original: 0.5, new: 0.25, difference: -0.25 },
      { metric: 'same', original: 2, new: 2, difference: 0 },
      { metric: 'gone', original: 1, new: null, difference: null },
      { metric: 'big', original: 1, new: 'Infinity', difference: 'Infinity' }
    ]);
    expect(rows.map(r => [r.difference, r.direction])).toEqual([
      ['+1', 'up'],
      ['-0.25', 'down'],
      ['0', 'same'],
      ['–', 'unknown'],
      ['+Infinity', 'up']
    ]);
    expect(rows[3].new).toBe('–');
    expect(rows[1].new).toBe('0.25');
  });

  it('names the failing cell (1-based) and its error', () => {
    expect(
      logic.errorTitle({
        message: 'The notebook stopped at cell 4 raised ValueError: bad',
        cell_index: 3,
        ename: 'ValueError',
        evalue: 'n must be positive'
      })
    ).toBe('Cell 4 raised ValueError: n must be positive');
    expect(logic.errorTitle({ message: 'The kernel died' })).toBe(
      'The kernel died'
    );
  });

  it('shows a package difference, or that it is missing now', () => {
    expect(
      logic.packageText({ name: 'numpy', recorded: '1.26.4', current: '2.0.0' })
    ).toBe('numpy 1.26.4 → 2.0.0');
    expect(
      logic.packageText({ name: 'scipy', recorded: '1.13.0', current: null })
    ).toBe('scipy 1.13.0 → not installed');
  });
});
