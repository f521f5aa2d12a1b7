import { describe, expect, it } from '@jest/globals';

import {
  axisLabel,
  brushedRunIds,
  defaultAxes,
  defaultColorMetric,
  MAX_DEFAULT_AXES,
  MISSING,
  niceTicks,
  parallelAxis,
  parcoordsTrace
} from '../compare/parallel';
import {
  boxPlot,
  boxTooFew,
  columnValue,
  contourPlot,
  contourTooFew,
  historyTraces,
  scatterPlot
} from '../compare/plots';
import type { IRunDetail } from '../api/types';
import { seriesTraces } from '../charts/series';

function run(
  id: string,
  params: Record<string, string>,
  metrics: Record<string, number | 'NaN'>
): IRunDetail {
  return {
    info: {
      run_id: id,
      run_name: `run-${id}`,
      experiment_id: '1',
      status: 'FINISHED',
      start_time: 0,
      end_time: 1,
      user_id: 'u',
      lifecycle_stage: 'active',
      artifact_uri: ''
    },
    data: { params, metrics, tags: {} }
  };
}

const runs = [
  run('a', { lr: '0.1', depth: '2', solver: 'svd' }, { rmse: 3 }),
  run('b', { lr: '0.2', depth: '4', solver: 'adam' }, { rmse: 1 }),
  run('c', { lr: '0.3', depth: '2', solver: 'svd' }, { rmse: 'NaN' })
];

describe('compare plots', () => {
  it('reads a run column by kind', () => {
    expect(columnValue(runs[0], 'params.lr')).toBe('0.1');
    expect(columnValue(runs[0], 'metrics.rmse')).toBe('3');
    expect(columnValue(runs[0], 'tags.x')).toBeUndefined();
  });

  it('draws the columns given, categories as ticks, every run on every axis', () => {
    const { trace, axes } = parcoordsTrace(
      runs,
      ['params.lr', 'params.solver', 'metrics.rmse'],
      null
    );
    expect(axes.map(a => a.column)).toEqual([
      'params.lr',
      'params.solver',
      'metrics.rmse'
    ]);
    expect(trace.dimensions[1]).toMatchObject({
      label: 'solver',
      values: [1, 0, 1],
      tickvals: [0, 1],
      ticktext: ['adam', 'svd']
    });
    // rmse is NaN for run c: it sits on the (none) tick below the others.
    const rmse = trace.dimensions[2];
    expect(rmse.ticktext[0]).toBe(MISSING);
    expect(rmse.values[2]).toBe(rmse.tickvals[0]);
    expect(rmse.values.every(Number.isFinite)).toBe(true);
    // No metric every run has: one colour, no scale.
    expect(trace.line).toEqual({ color: '#1976d2' });
  });

  // Regression: a run lacking most params vanished (Plotly drops a line with
  // a missing value), boolean params showed -1..1 number ticks.
  it('keeps runs that lack params, with explicit (none) categories', () => {
    const autolog = run(
      'auto',
      { bootstrap: 'True', min_weight_fraction_leaf: '0.0', n_estimators: '5' },
      { score: 0.8 }
    );
    const byHand = run('hand', { n_estimators: '20' }, { score: 0.3 });
    const boolAxis = parallelAxis([autolog, byHand], 'params.bootstrap');
    expect(boolAxis).toMatchObject({
      categorical: true,
      values: [1, 0],
      tickvals: [0, 1],
      ticktext: [MISSING, 'True'],
      range: [0, 1]
    });
    const single = parallelAxis([autolog, autolog], 'params.bootstrap');
    expect(single).toMatchObject({ tickvals: [0], range: [-1, 1] });
    const { trace } = parcoordsTrace(
      [autolog, byHand],
      ['params.n_estimators', 'params.bootstrap', 'metrics.score'],
      'score'
    );
    for (const dim of trace.dimensions) {
      expect(dim.values.every(Number.isFinite)).toBe(true);
    }
    expect(trace.line.color).toEqual([0.8, 0.3]);
  });

  it('defaults to the params that vary and the metrics most runs have', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) {
      many[`constant_param_with_a_long_name_${i}`] = 'same';
    }
    const a = run('a', { ...many, depth: '3', lr: '0.1' }, { loss: 1, f1: 2 });
    const b = run('b', { ...many, depth: '8', lr: '0.1' }, { loss: 2 });
    const keys = Object.keys(a.data.params).sort();
    expect(defaultAxes([a, b], keys, ['f1', 'loss'])).toEqual([
      'params.depth',
      'metrics.loss',
      'metrics.f1'
    ]);
    const varying = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const c = run('c', Object.fromEntries(varying.map(p => [p, '1'])), {});
    const d = run('d', Object.fromEntries(varying.map(p => [p, '2'])), {});
    expect(defaultAxes([c, d], varying, [])).toHaveLength(MAX_DEFAULT_AXES - 1);
    // Colour by a metric every run has, never one only some runs logged.
    expect(defaultColorMetric([a, b], ['f1', 'loss'])).toBe('loss');
    expect(defaultColorMetric([a, b], ['f1'])).toBe('');
  });

  it('cuts long axis titles and picks round ticks', () => {
    expect(axisLabel('params.min_weight_fraction_leaf')).toBe(
      'min_weight_fracti…'
    );
    expect(axisLabel('metrics.mse')).toBe('mse');
    expect(niceTicks(0.13, 0.92)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('says when a contour or a box plot has too few runs to say anything', () => {
    expect(
      contourTooFew(runs, 'params.lr', 'params.depth', 'metrics.rmse')
    ).toMatch(/^Too few runs for a contour: 2 runs with all three values/);
    const grid = ['1', '2'].flatMap(x =>
      ['1', '2'].map(y =>
        run(`${x}${y}`, { x, y }, { z: Number(x) * Number(y) })
      )
    );
    expect(contourTooFew(grid, 'params.x', 'params.y', 'metrics.z')).toBeNull();
    expect(boxTooFew(runs, 'metrics.rmse', 'params.solver')).toMatch(
      /largest group of solver has 1 run with rmse, and a box needs 3/
    );
    const same = [1, 2, 3].map(i =>
      run(`s${i}`, { solver: 'svd' }, { rmse: i })
    );
    expect(boxTooFew(same, 'metrics.rmse', 'params.solver')).toBeNull();
  });

  it('selects the runs inside every brushed range', () => {
    const ids = ['a', 'b', 'c'];
    const values = [
      [0.1, 0.2, 0.3],
      [3, 1, null]
    ];
    expect(brushedRunIds(ids, values, [[0.15, 0.35], null])).toEqual([
      'b',
      'c'
    ]);
    // A missing value is outside any range on its axis.
    expect(
      brushedRunIds(ids, values, [
        [0, 1],
        [0, 5]
      ])
    ).toEqual(['a', 'b']);
    // Several intervals on one axis.
    expect(
      brushedRunIds(ids, values, [
        [
          [0, 0.15],
          [0.25, 0.4]
        ],
        undefined
      ])
    ).toEqual(['a', 'c']);
  });

  it('labels scatter points with run names', () => {
    const plot = scatterPlot(runs, 'params.solver', 'metrics.rmse');
    expect(plot.data[0].text).toEqual(['run-a', 'run-b', 'run-c']);
    expect(plot.data[0].x).toEqual([1, 0, 1]);
    expect(plot.layout.xaxis.ticktext).toEqual(['adam', 'svd']);
  });

  it('escapes run names and values, which Plotly would read as markup', () => {
    const hostile = [
      run('x', { solver: '<a href="javascript:1">s</a>' }, { rmse: 1 })
    ];
    hostile[0].info.run_name = '<b>bold</b> & co';
    const plot = scatterPlot(hostile, 'params.solver', 'metrics.rmse');
    expect(plot.data[0].text).toEqual(['&lt;b&gt;bold&lt;/b&gt; &amp; co']);
    expect(plot.layout.xaxis.ticktext).toEqual([
      '&lt;a href="javascript:1"&gt;s&lt;/a&gt;'
    ]);
    const box = boxPlot(hostile, 'metrics.rmse', 'params.solver');
    expect(box.data[0].name).toBe('&lt;a href="javascript:1"&gt;s&lt;/a&gt;');
  });

  it('draws a contour of the finite points only', () => {
    const plot = contourPlot(runs, 'params.lr', 'params.depth', 'metrics.rmse');
    expect(plot.data[0].type).toBe('contour');
    expect(plot.data[0].x).toEqual([0.1, 0.2]);
    expect(plot.data[0].z).toEqual([3, 1]);
  });

  it('groups a box plot by param value', () => {
    const plot = boxPlot(runs, 'metrics.rmse', 'params.depth');
    expect(plot.data.map(d => [d.name, d.y])).toEqual([
      ['2', [3]],
      ['4', [1]]
    ]);
  });

  it('draws one history line per run', () => {
    const traces = historyTraces([
      {
        run_id: 'abcdef123',
        run_name: '',
        key: 'loss',
        total: 2,
        downsampled: false,
        points: [
          { step: 0, timestamp: 0, value: 1 },
          { step: 1, timestamp: 1, value: 'Infinity' }
        ]
      }
    ]);
    expect(traces[0].name).toBe('abcdef12');
    expect(traces[0].y).toEqual([1, Infinity]);
  });

  it('adds a faint raw line under a smoothed one', () => {
    const reply = {
      total: 2,
      downsampled: false,
      points: [
        { step: 0, timestamp: 0, value: 1 },
        { step: 1, timestamp: 1, value: 3 }
      ]
    };
    expect(
      seriesTraces([{ key: 'loss', reply }], 'step', 0, null)
    ).toHaveLength(1);
    const smoothed = seriesTraces([{ key: 'loss', reply }], 'step', 0.5, null);
    expect(smoothed.map(t => t.name)).toEqual(['loss (raw)', 'loss']);
    expect(smoothed[0].y).toEqual([1, 3]);
    expect(smoothed[1].y[1]).toBeCloseTo((0.5 * 3 + 0.25 * 1) / 0.75);
  });

  it('draws metrics logged once as bars, in the run page and across runs', () => {
    const once = (value: number) => ({
      total: 1,
      downsampled: false,
      points: [{ step: 0, timestamp: 0, value }]
    });
    const bars = seriesTraces(
      [
        { key: 'mse', reply: once(3000) },
        { key: 'r2', reply: once(0.3) }
      ],
      'step',
      0,
      null
    );
    expect(bars.map(t => [t.type, t.x, t.y])).toEqual([
      ['bar', ['mse'], [3000]],
      ['bar', ['r2'], [0.3]]
    ]);
    const across = historyTraces(
      ['a', 'b'].map(id => ({
        run_id: id,
        run_name: `run-${id}`,
        key: 'mse',
        ...once(id === 'a' ? 1 : 2)
      }))
    );
    expect(across).toEqual([
      expect.objectContaining({ type: 'bar', x: ['run-a', 'run-b'], y: [1, 2] })
    ]);
  });
});
