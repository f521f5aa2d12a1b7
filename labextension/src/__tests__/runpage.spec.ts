import { describe, expect, it } from '@jest/globals';

import type { IPoint } from '../api/types';
import { axisValues, smooth, xValues } from '../charts/axes';
import { formatNumber, formatSize, toNumber } from '../common/format';
import { compareRows } from '../compare/logic';
import { parseCsv, previewKind, summarize } from '../runpage/logic';

const points: IPoint[] = [
  { step: 0, timestamp: 1000, value: 4 },
  { step: 1, timestamp: 3000, value: 'NaN' },
  { step: 2, timestamp: 6000, value: 1 },
  { step: 3, timestamp: 7000, value: 2 }
];

describe('metric values', () => {
  it('reads the strings NaN and the infinities arrive as', () => {
    expect(toNumber(1.5)).toBe(1.5);
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('Infinity')).toBe(Infinity);
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(toNumber('0.25')).toBe(0.25);
    expect(toNumber('')).toBeNaN();
    expect(toNumber(undefined)).toBeNaN();
  });

  it('summarizes last, min and max, skipping NaN', () => {
    expect(summarize(points)).toEqual({ last: 2, min: 1, max: 4 });
    expect(summarize([])).toEqual({ last: NaN, min: NaN, max: NaN });
  });

  it('formats numbers and sizes for tables', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(2048)).toBe('2.0 KB');
    expect(formatSize(null)).toBe('');
  });
});

describe('smoothing', () => {
  it('leaves the values alone at weight 0', () => {
    expect(smooth([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });

  it('is debiased: a constant series stays constant', () => {
    smooth([2, 2, 2, 2], 0.9).forEach(v => expect(v).toBeCloseTo(2));
  });

  it('is an exponential moving average', () => {
    const [a, b] = smooth([0, 10], 0.5);
    expect(a).toBe(0);
    // (0.5 * 0.5 * 0 + 0.5 * 10) / (1 - 0.25)
    expect(b).toBeCloseTo(5 / 0.75);
  });

  it('passes NaN through without poisoning the average', () => {
    const out = smooth([1, NaN, 1], 0.6);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1);
  });
});

describe('x axes', () => {
  it('gives steps, wall times or seconds since the start', () => {
    expect(xValues(points, 'step')).toEqual([0, 1, 2, 3]);
    expect(xValues(points, 'wall')[2]).toEqual(new Date(6000));
    expect(xValues(points, 'relative', 0)).toEqual([1, 3, 6, 7]);
    expect(xValues(points, 'relative')).toEqual([0, 2, 5, 6]);
  });
});

describe('categorical axes', () => {
  it('keeps numeric columns numeric', () => {
    expect(axisValues(['0.1', '2', undefined])).toEqual({
      values: [0.1, 2, NaN],
      categorical: false
    });
  });

  it('keeps a metric column with NaN numeric (NaN is not a category)', () => {
    expect(axisValues(['3', '1', 'NaN', 'Infinity']).categorical).toBe(false);
    expect(axisValues(['NaN']).categorical).toBe(true);
  });

  it('maps categories to integer positions with tick labels', () => {
    const a = axisValues(['svd', 'lbfgs', 'svd', undefined]);
    expect(a.categorical).toBe(true);
    expect(a.ticktext).toEqual(['(none)', 'lbfgs', 'svd']);
    expect(a.tickvals).toEqual([0, 1, 2]);
    expect(a.values).toEqual([2, 1, 2, 0]);
  });

  it('sorts numbered categories naturally', () => {
    expect(axisValues(['l10', 'l2', 'l1']).ticktext).toEqual([
      'l1',
      'l2',
      'l10'
    ]);
  });
});

describe('compare rows', () => {
  const runs = [
    { alpha: '0.1', solver: 'svd', only: 'x' },
    { alpha: '0.5', solver: 'svd' }
  ];

  it('marks rows whose values differ, a missing value included', () => {
    const rows = compareRows(['alpha', 'only', 'solver'], runs, false);
    expect(rows.map(r => [r.key, r.differs])).toEqual([
      ['alpha', true],
      ['only', true],
      ['solver', false]
    ]);
    expect(rows[1].values).toEqual(['x', undefined]);
  });

  it('shows only the differing rows when asked', () => {
    expect(
      compareRows(['alpha', 'only', 'solver'], runs, true).map(r => r.key)
    ).toEqual(['alpha', 'only']);
  });

  it('compares metrics as text of their values', () => {
    const rows = compareRows(['m'], [{ m: 1 }, { m: '1' }], false);
    expect(rows[0].differs).toBe(false);
  });
});

describe('artifacts', () => {
  it('chooses a preview from the name', () => {
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('conf.yaml')).toBe('text');
    expect(previewKind('data.json')).toBe('text');
    expect(previewKind('plots/loss.PNG')).toBe('image');
    expect(previewKind('table.csv')).toBe('csv');
    expect(previewKind('train.ipynb')).toBe('notebook');
    expect(previewKind('model.pkl')).toBe('none');
  });

  it('parses quoted CSV and stops at the row limit', () => {
    const text = 'a,b\n1,"x, ""y"""\r\n2,z\n3,w';
    expect(parseCsv(text)).toEqual([
      ['a', 'b'],
      ['1', 'x, "y"'],
      ['2', 'z'],
      ['3', 'w']
    ]);
    expect(parseCsv(text, 2)).toEqual([
      ['a', 'b'],
      ['1', 'x, "y"']
    ]);
    expect(parseCsv('a\tb\n', 10, '\t')).toEqual([['a', 'b']]);
  });
});
