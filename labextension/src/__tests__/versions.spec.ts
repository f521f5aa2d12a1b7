/**
 * Captured notebook versions as documents (the read-only drive's paths and
 * models) and the metric charts' two layouts.
 */
import { describe, expect, it } from '@jest/globals';

import { seriesTraces } from '../charts/series';
import { chartedKeys, chartGroups } from '../runpage/chartsState';
import {
  READ_ONLY_MESSAGE,
  readOnlyNotebook,
  runIdOf,
  VersionDrive,
  versionPath,
  versionTitle
} from '../versions/drive';

const NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'code', source: 'x = 1', metadata: {}, outputs: [] },
    { cell_type: 'markdown', source: '# hi', metadata: { tags: ['a'] } }
  ]
};

describe('version paths', () => {
  it('name the tab after the notebook and the run', () => {
    expect(versionTitle('exp/demo.ipynb', 'bright-owl')).toBe(
      'demo.ipynb @ run bright-owl'
    );
    // Separators in a run name would split the path or read as a drive.
    expect(versionTitle('demo.ipynb', 'a/b:c\\d')).toBe(
      'demo.ipynb @ run a_b_c_d'
    );
  });

  it('round-trip the run id through the drive path', () => {
    const path = versionPath('abc 1', 'exp/demo.ipynb', 'owl');
    expect(path).toBe('labtrack-version:abc%201/demo.ipynb @ run owl');
    expect(runIdOf(path.slice('labtrack-version:'.length))).toBe('abc 1');
  });

  it('refuse paths that name no run', () => {
    expect(() => runIdOf('')).toThrow('Not a captured notebook version');
    expect(() => runIdOf('abc')).toThrow('<run id>/<title>');
    expect(() => runIdOf('a/b/c')).toThrow('<run id>/<title>');
  });
});

describe('the version drive', () => {
  it('marks every cell read-only, keeping its metadata', () => {
    const nb = readOnlyNotebook(NOTEBOOK);
    expect(nb.cells.map((c: any) => c.metadata)).toEqual([
      { editable: false, deletable: false },
      { tags: ['a'], editable: false, deletable: false }
    ]);
    expect(NOTEBOOK.cells[0].metadata).toEqual({});
  });

  it('serves the run version as a notebook that cannot be written', async () => {
    const asked: string[] = [];
    const drive = new VersionDrive(
      async runId => {
        asked.push(runId);
        return NOTEBOOK;
      },
      { baseUrl: 'http://localhost/' } as any
    );
    const model = await drive.get('r1/demo.ipynb @ run owl');
    expect(asked).toEqual(['r1']);
    expect(model.type).toBe('notebook');
    expect(model.writable).toBe(false);
    expect(model.name).toBe('demo.ipynb @ run owl');
    expect(model.content.cells[0].source).toBe('x = 1');
    expect(model.content.cells[0].metadata.editable).toBe(false);
    await expect(drive.save()).rejects.toThrow(READ_ONLY_MESSAGE);
    await expect(drive.rename()).rejects.toThrow('read-only');
    await expect(drive.delete()).rejects.toThrow('read-only');
    await expect(drive.createCheckpoint()).rejects.toThrow('read-only');
    expect(await drive.listCheckpoints()).toEqual([]);
    await expect(drive.get('no-title')).rejects.toThrow('<run id>/<title>');
  });
});

describe('metric chart layouts', () => {
  const keys = ['acc', 'loss', 'lr'];

  it('overlays the chosen metrics, or charts every metric on its own', () => {
    expect(chartedKeys(false, ['loss', 'gone'], keys)).toEqual(['loss']);
    expect(chartedKeys(true, ['loss'], keys)).toEqual(keys);
    const many = Array.from({ length: 40 }, (_, i) => `m${i}`);
    expect(chartedKeys(true, [], many)).toHaveLength(24);
  });

  it('groups series into one chart or one chart per metric', () => {
    const series = keys.map(key => ({ key }));
    expect(chartGroups(false, series)).toEqual([
      { title: '', series, firstColor: 0 }
    ]);
    const split = chartGroups(true, series);
    expect(split.map(g => [g.title, g.series.length, g.firstColor])).toEqual([
      ['acc', 1, 0],
      ['loss', 1, 1],
      ['lr', 1, 2]
    ]);
  });

  it('keeps smoothing and colours in a small chart', () => {
    const reply = {
      total: 3,
      downsampled: false,
      points: [0, 1, 2].map(step => ({
        step,
        timestamp: step,
        value: step + 1
      }))
    };
    const [raw, smoothed] = seriesTraces(
      [{ key: 'loss', reply }],
      'step',
      0.5,
      null,
      1
    );
    expect(raw.opacity).toBe(0.3);
    expect(smoothed.y[1]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 2) / 0.75);
    expect(smoothed.line.color).toBe(
      seriesTraces(
        [
          { key: 'a', reply },
          { key: 'loss', reply }
        ],
        'step',
        0,
        null
      )[1].line.color
    );
  });
});
