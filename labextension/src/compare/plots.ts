/**
 * Pure builders of the compare view's Plotly traces: scatter, contour, box
 * plot, overlaid histories (parallel coordinates: `parallel.ts`), and when a
 * contour or box plot has too few runs to say anything. Column keys read
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

/** Fewer points than this do not make a surface. */
export const MIN_CONTOUR_POINTS = 4;

/** A box needs this many runs in some group to show more than its points. */
export const MIN_BOX_GROUP = 3;

/**
 * Why a contour of `z` over `x` and `y` would say nothing for these runs
 * (too few points, or all on one line), or null when it can be drawn.
 */
export function contourTooFew(
  runs: IRunDetail[],
  x: string,
  y: string,
  z: string
): string | null {
  const points = runs
    .map(r => [x, y, z].map(c => toNumber(columnValue(r, c) ?? null)))
    .filter(p => p.every(Number.isFinite));
  const xs = new Set(points.map(p => p[0])).size;
  const ys = new Set(points.map(p => p[1])).size;
  if (points.length >= MIN_CONTOUR_POINTS && xs >= 2 && ys >= 2) {
    return null;
  }
  const what =
    points.length < MIN_CONTOUR_POINTS
      ? `${points.length} run${points.length === 1 ? '' : 's'} with all three values`
      : `runs with only ${Math.min(xs, ys)} value of ${xs < 2 ? label(x) : label(y)}`;
  return (
    `Too few runs for a contour: ${what}; a surface needs at least ` +
    `${MIN_CONTOUR_POINTS} runs spread over two values of each param. ` +
    'The scatter plot shows these runs.'
  );
}

/**
 * Why a box plot of `metric` grouped by `groupBy` would only repeat its
 * points (no group has MIN_BOX_GROUP runs), or null when it can be drawn.
 */
export function boxTooFew(
  runs: IRunDetail[],
  metric: string,
  groupBy: string
): string | null {
  const sizes = new Map<string, number>();
  for (const run of runs) {
    if (Number.isFinite(toNumber(columnValue(run, metric) ?? null))) {
      const g = columnValue(run, groupBy) ?? '(none)';
      sizes.set(g, (sizes.get(g) ?? 0) + 1);
    }
  }
  const largest = Math.max(0, ...sizes.values());
  if (largest >= MIN_BOX_GROUP) {
    return null;
  }
  return (
    `Too few runs per group for a box plot: the largest group of ` +
    `${label(groupBy)} has ${largest} run${largest === 1 ? '' : 's'} with ` +
    `${label(metric)}, and a box needs ${MIN_BOX_GROUP}. Group by a param ` +
    'that more runs share, or use the scatter plot.'
  );
}

/** True when every series has at most one point: bars say more than dots. */
export function singleValued(series: { points: unknown[] }[]): boolean {
  return series.length > 0 && series.every(s => s.points.length <= 1);
}

/**
 * Histories of one metric across runs, a line per run; when every run
 * logged it once, one bar per run.
 */
export function historyTraces(series: IBulkSeries[]): Record<string, any>[] {
  if (singleValued(series)) {
    const shown = series.filter(s => s.points.length === 1);
    return [
      {
        type: 'bar',
        x: shown.map(s => plotlyText(s.run_name || s.run_id.slice(0, 8))),
        y: shown.map(s => toNumber(s.points[0].value)),
        hovertemplate: '%{x}: %{y}<extra></extra>'
      }
    ];
  }
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
