/**
 * Pure builders of the compare view's Plotly traces: parallel coordinates,
 * scatter, contour, box plot, overlaid histories. Column keys read
 * `params.x`, `metrics.y`, `tags.z`.
 */
import type { IBulkSeries, IRunDetail } from '../api/types';
import { axisValues, IAxisValues, plotlyText } from '../charts/axes';
import { IPlot, Layout, titledAxis } from '../charts/layout';
import { toNumber } from '../common/format';
import { runName } from '../common/run';

/** A run's value for `params.x` / `metrics.y` / `tags.z`, as text. */
export function columnValue(
  run: IRunDetail,
  column: string
): string | undefined {
  const dot = column.indexOf('.');
  const kind = column.slice(0, dot) as 'params' | 'metrics' | 'tags';
  const key = column.slice(dot + 1);
  const v = (run.data[kind] as Record<string, unknown> | undefined)?.[key];
  return v === undefined || v === null ? undefined : String(v);
}

/** The label of a column key: `params.alpha` -> `alpha`. */
export const columnLabel = (column: string): string =>
  column.slice(column.indexOf('.') + 1);

/** Escaped for Plotly: labels and names from runs show as text. */
const label = (column: string): string => plotlyText(columnLabel(column));
const nameOf = (run: IRunDetail): string => plotlyText(runName(run));

function axis(runs: IRunDetail[], column: string): IAxisValues {
  return axisValues(runs.map(r => columnValue(r, column)));
}

/** A Plotly axis for mapped values: categories get their labels as ticks. */
function plotAxis(values: IAxisValues, title: string): Layout {
  return values.categorical
    ? titledAxis(title, {
        tickvals: values.tickvals,
        ticktext: values.ticktext?.map(plotlyText)
      })
    : titledAxis(title);
}

/**
 * Parallel coordinates: params first (left), metrics last (right), lines
 * coloured by `colorBy`. Runs are in the order given; the dimensions keep
 * their column keys in `columns`.
 */
export function parcoordsTrace(
  runs: IRunDetail[],
  params: string[],
  metrics: string[],
  colorBy: string | null
): { trace: Record<string, any>; columns: string[] } {
  const columns = [
    ...params.map(p => `params.${p}`),
    ...metrics.map(m => `metrics.${m}`)
  ];
  const dimensions = columns.map(column => {
    const a = axis(runs, column);
    const dim: Record<string, any> = {
      label: label(column),
      values: a.values.map(v => (Number.isFinite(v) ? v : null))
    };
    if (a.categorical) {
      dim.tickvals = a.tickvals;
      dim.ticktext = a.ticktext?.map(plotlyText);
    }
    return dim;
  });
  const color = colorBy
    ? runs.map(r => toNumber(columnValue(r, `metrics.${colorBy}`) ?? null))
    : runs.map((_, i) => i);
  return {
    columns,
    trace: {
      type: 'parcoords',
      dimensions,
      line: {
        color: color.map(c => (Number.isFinite(c) ? c : null)),
        colorscale: 'Viridis',
        showscale: Boolean(colorBy),
        colorbar: colorBy ? { title: { text: plotlyText(colorBy) } } : undefined
      }
    }
  };
}

/** A constraint range of one parcoords axis: one interval or several. */
export type ConstraintRange =
  [number, number] | [number, number][] | null | undefined;

function inRange(v: number, range: ConstraintRange): boolean {
  if (!range || range.length === 0) {
    return true;
  }
  const intervals = (Array.isArray(range[0]) ? range : [range]) as [
    number,
    number
  ][];
  return intervals.some(
    ([lo, hi]) => v >= Math.min(lo, hi) && v <= Math.max(lo, hi)
  );
}

/**
 * The runs inside every axis's brushed ranges. `values[d][i]` is run i on
 * dimension d; a missing value is outside any range on that axis.
 */
export function brushedRunIds(
  runIds: string[],
  values: (number | null)[][],
  ranges: ConstraintRange[]
): string[] {
  return runIds.filter((_, i) =>
    values.every((dim, d) => {
      const range = ranges[d];
      if (!range || range.length === 0) {
        return true;
      }
      const v = dim[i];
      return v !== null && v !== undefined && inRange(v, range);
    })
  );
}

/** Scatter of any two columns; hover shows the run name. */
export function scatterPlot(runs: IRunDetail[], x: string, y: string): IPlot {
  const ax = axis(runs, x);
  const ay = axis(runs, y);
  return {
    data: [
      {
        type: 'scatter',
        mode: 'markers',
        x: ax.values,
        y: ay.values,
        text: runs.map(nameOf),
        customdata: runs.map(r => r.info.run_id),
        hovertemplate: `%{text}<br>${label(x)}=%{x}<br>${label(y)}=%{y}<extra></extra>`,
        marker: { size: 9, opacity: 0.8 }
      }
    ],
    layout: {
      xaxis: plotAxis(ax, label(x)),
      yaxis: plotAxis(ay, label(y))
    }
  };
}

/**
 * Contour of a metric over two params: Plotly grids the raw points and
 * interpolates the gaps; the points themselves are drawn on top.
 */
export function contourPlot(
  runs: IRunDetail[],
  x: string,
  y: string,
  z: string
): IPlot {
  const ax = axis(runs, x);
  const ay = axis(runs, y);
  const zs = runs.map(r => toNumber(columnValue(r, z) ?? null));
  const keep = zs.map(
    (v, i) =>
      Number.isFinite(v) &&
      Number.isFinite(ax.values[i]) &&
      Number.isFinite(ay.values[i])
  );
  const pick = <T>(a: T[]): T[] => a.filter((_, i) => keep[i]);
  return {
    data: [
      {
        type: 'contour',
        x: pick(ax.values),
        y: pick(ay.values),
        z: pick(zs),
        connectgaps: true,
        colorscale: 'Viridis',
        colorbar: { title: { text: label(z) } },
        contours: { coloring: 'heatmap', showlabels: true },
        hoverinfo: 'x+y+z'
      },
      {
        type: 'scatter',
        mode: 'markers',
        x: pick(ax.values),
        y: pick(ay.values),
        text: pick(runs.map(nameOf)),
        hovertemplate: `%{text}<extra></extra>`,
        marker: { color: 'white', size: 6, line: { color: 'black', width: 1 } },
        showlegend: false
      }
    ],
    layout: {
      xaxis: plotAxis(ax, label(x)),
      yaxis: plotAxis(ay, label(y))
    }
  };
}

/** Box plot of a metric, one box per value of a param, points shown. */
export function boxPlot(
  runs: IRunDetail[],
  metric: string,
  groupBy: string
): IPlot {
  const groups = new Map<string, { y: number[]; text: string[] }>();
  for (const run of runs) {
    const g = columnValue(run, groupBy) ?? '(none)';
    const v = toNumber(columnValue(run, metric) ?? null);
    if (!Number.isFinite(v)) {
      continue;
    }
    const entry = groups.get(g) ?? { y: [], text: [] };
    entry.y.push(v);
    entry.text.push(nameOf(run));
    groups.set(g, entry);
  }
  const names = Array.from(groups.keys()).sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true })
  );
  return {
    data: names.map(name => ({
      type: 'box',
      name: plotlyText(name),
      y: groups.get(name)!.y,
      text: groups.get(name)!.text,
      boxpoints: 'all',
      jitter: 0.4,
      pointpos: 0,
      hovertemplate: `%{text}: %{y}<extra>${plotlyText(name)}</extra>`
    })),
    layout: {
      showlegend: false,
      xaxis: titledAxis(label(groupBy), { type: 'category' }),
      yaxis: titledAxis(label(metric))
    }
  };
}

/** Above this many points, history lines are drawn with WebGL rather than SVG. */
export const WEBGL_POINTS = 20_000;

/** Histories of one metric across runs, a line per run. */
export function historyTraces(series: IBulkSeries[]): Record<string, any>[] {
  const total = series.reduce((n, s) => n + s.points.length, 0);
  const type = total > WEBGL_POINTS ? 'scattergl' : 'scatter';
  return series.map(s => ({
    type,
    mode: s.points.length === 1 ? 'markers' : 'lines',
    name: plotlyText(s.run_name || s.run_id.slice(0, 8)),
    x: s.points.map(p => p.step),
    y: s.points.map(p => toNumber(p.value))
  }));
}
