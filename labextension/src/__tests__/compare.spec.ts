import { describe, expect, it } from '@jest/globals';

import {
  boxPlot,
  brushedRunIds,
  columnValue,
  contourPlot,
  historyTraces,
  parcoordsTrace,
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

  it('puts params left, metrics right, categories as ticks', () => {
    const { trace, columns } = parcoordsTrace(
      runs,
      ['lr', 'solver'],
      ['rmse'],
      'rmse'
    );
    expect(columns).toEqual(['params.lr', 'params.solver', 'metrics.rmse']);
    expect(trace.dimensions[1]).toEqual({
      label: 'solver',
      values: [1, 0, 1],
      tickvals: [0, 1],
      ticktext: ['adam', 'svd']
    });
    expect(trace.dimensions[2].values).toEqual([3, 1, null]);
    expect(trace.line.color).toEqual([3, 1, null]);
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
});
