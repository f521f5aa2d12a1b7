/**
 * Parallel coordinates of runs: which axes to draw by default, each axis's
 * scale (numbers, categories, and a place for runs without a value) and the
 * Plotly trace; brushing back to run ids. Pure: jest tests it in Node.
 *
 * Autologged runs carry ~20 params with long names, most of them the same in
 * every run, and runs logged by hand beside them lack most of those: so the
 * default axes are the keys whose values differ, a run without a value sits
 * on an explicit "(none)" tick (Plotly drops a line with a missing value),
 * and lines are coloured by a metric every run has.
 */
import type { IRunDetail } from '../api/types';
import { isNumeric, plotlyText } from '../charts/axes';
import { shorten, toNumber } from '../common/format';
import { columnValue } from './plots';

/** Axes drawn by default; the chooser adds the others. */
export const MAX_DEFAULT_AXES = 8;

/** Of the default axes, at most this many are metrics. */
export const MAX_DEFAULT_METRIC_AXES = 3;

/** Axis titles longer than this are cut (the chooser lists the full keys). */
export const MAX_LABEL = 18;

/** The tick of runs without a value on an axis. */
export const MISSING = '(none)';

/** An axis title, cut to MAX_LABEL characters. */
export function axisLabel(column: string): string {
  const key = column.slice(column.indexOf('.') + 1);
  return shorten(key, MAX_LABEL);
}

/** How many runs have a value for `column`, and how many different ones. */
function spread(
  runs: IRunDetail[],
  column: string
): { present: number; distinct: number } {
  const values = runs
    .map(r => columnValue(r, column))
    .filter((v): v is string => v !== undefined);
  return { present: values.length, distinct: new Set(values).size };
}

/**
 * The default axes: params whose values differ between the runs (a value
 * missing in some runs is not a difference by itself), then the metrics the
 * most runs have; at most MAX_DEFAULT_AXES, of which at most
 * MAX_DEFAULT_METRIC_AXES metrics. Column keys read `params.x`, `metrics.y`.
 */
export function defaultAxes(
  runs: IRunDetail[],
  params: string[],
  metrics: string[]
): string[] {
  const metricColumns = metrics
    .map(m => `metrics.${m}`)
    .map(column => ({ column, ...spread(runs, column) }))
    .filter(m => m.present > 0)
    .sort((a, b) => b.present - a.present)
    .map(m => m.column);
  const chosenMetrics = metricColumns.slice(0, MAX_DEFAULT_METRIC_AXES);
  const varying = params
    .map(p => `params.${p}`)
    .filter(column => spread(runs, column).distinct > 1);
  const paramRoom = MAX_DEFAULT_AXES - Math.max(chosenMetrics.length, 1);
  return [...varying.slice(0, paramRoom), ...chosenMetrics];
}

/** The metric lines are coloured by by default: the first every run has. */
export function defaultColorMetric(
  runs: IRunDetail[],
  metrics: string[]
): string {
  return (
    metrics.find(m =>
      runs.every(r => Number.isFinite(toNumber(r.data.metrics[m] ?? null)))
    ) ?? ''
  );
}

/** About `count` round tick values from `lo` to `hi`. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    return [lo];
  }
  const raw = (hi - lo) / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step =
    [1, 2, 2.5, 5, 10].map(m => m * power).find(s => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

/** A short tick label: `0.25`, `1200`, `3.2e-5`. */
const tickText = (v: number): string =>
  Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(4)));

/** One axis: every run's position on it, the range and its ticks. */
export interface IParallelAxis {
  column: string;
  values: number[];
  range: [number, number];
  tickvals: number[];
  ticktext: string[];
  categorical: boolean;
}

/**
 * Place the runs on the axis of `column`. Numbers keep their scale, with
 * round ticks; anything else (text, booleans) is a category at integer
 * positions with only the categories as ticks; runs without a value (or
 * with NaN) get the tick MISSING, below the others.
 */
export function parallelAxis(
  runs: IRunDetail[],
  column: string
): IParallelAxis {
  const raw = runs.map(r => columnValue(r, column));
  const numeric =
    isNumeric(raw) &&
    new Set(raw.filter(v => Number.isFinite(toNumber(v ?? null)))).size > 1;
  if (numeric) {
    const numbers = raw.map(v => toNumber(v ?? null));
    const finite = numbers.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const ticks = niceTicks(lo, hi);
    const tickvals = [...ticks];
    const ticktext = ticks.map(tickText);
    let bottom = lo;
    if (finite.length < numbers.length) {
      bottom = lo - (hi - lo) * 0.15;
      tickvals.unshift(bottom);
      ticktext.unshift(MISSING);
    }
    return {
      column,
      values: numbers.map(v => (Number.isFinite(v) ? v : bottom)),
      range: [bottom, hi],
      tickvals,
      ticktext,
      categorical: false
    };
  }
  const labels = raw.map(v =>
    v === undefined || v === '' || v === 'NaN' ? MISSING : v
  );
  const categories = Array.from(new Set(labels))
    .filter(l => l !== MISSING)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (labels.includes(MISSING)) {
    categories.unshift(MISSING);
  }
  const index = new Map(categories.map((c, i) => [c, i]));
  const top = Math.max(categories.length - 1, 1);
  return {
    column,
    values: labels.map(l => index.get(l) as number),
    // A single category sits in the middle, not on a bare -1..1 scale.
    range: categories.length > 1 ? [0, top] : [-1, 1],
    tickvals: categories.map((_, i) => i),
    ticktext: categories,
    categorical: true
  };
}

/**
 * The Plotly trace: one dimension per column (in the order given), lines
 * coloured by `colorBy` (a metric every run has) or by one theme colour.
 * No run is left out: every run has a position on every axis.
 */
export function parcoordsTrace(
  runs: IRunDetail[],
  columns: string[],
  colorBy: string | null,
  lineColor = '#1976d2'
): { trace: Record<string, any>; axes: IParallelAxis[] } {
  const axes = columns.map(column => parallelAxis(runs, column));
  const colors = colorBy
    ? runs.map(r => toNumber(columnValue(r, `metrics.${colorBy}`) ?? null))
    : [];
  const colored = colorBy !== null && colors.every(Number.isFinite);
  return {
    axes,
    trace: {
      type: 'parcoords',
      labelangle: -12,
      labelside: 'top',
      dimensions: axes.map(a => ({
        label: plotlyText(axisLabel(a.column)),
        values: a.values,
        range: a.range,
        tickvals: a.tickvals,
        ticktext: a.ticktext.map(plotlyText)
      })),
      line: colored
        ? {
            color: colors,
            colorscale: 'Viridis',
            showscale: true,
            colorbar: { title: { text: plotlyText(colorBy ?? '') } }
          }
        : { color: lineColor }
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
