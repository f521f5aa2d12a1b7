/**
 * Pure helpers of the charts: smoothing, x axes, categorical axes and text
 * that Plotly shows as written. No DOM, so jest tests it in Node.
 */
import type { IPoint } from '../api/types';
import { toNumber } from '../common/format';

/**
 * Exponential moving average with TensorBoard's debiasing, so the first
 * points are not pulled towards zero. `weight` is in [0, 1); 0 returns the
 * values unchanged. Non-finite values pass through and do not disturb the
 * average.
 */
export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) {
    return values.slice();
  }
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return values.map(v => {
    if (!Number.isFinite(v)) {
      return v;
    }
    last = last * w + (1 - w) * v;
    count += 1;
    return last / (1 - Math.pow(w, count));
  });
}

/** What the x axis of a metric chart shows. */
export type XAxis = 'step' | 'wall' | 'relative';

/**
 * The x values of a series: the step, the wall time (a Date) or the seconds
 * since `start` (the run's start, else the first point).
 */
export function xValues(
  points: IPoint[],
  axis: XAxis,
  start?: number | null
): (number | Date)[] {
  if (axis === 'step') {
    return points.map(p => p.step);
  }
  if (axis === 'wall') {
    return points.map(p => new Date(p.timestamp));
  }
  const origin = start ?? (points.length > 0 ? points[0].timestamp : 0);
  return points.map(p => (p.timestamp - origin) / 1000);
}

/**
 * Whether every present value reads as a number (the strings NaN and the
 * infinities, which metrics arrive as, count as numbers).
 */
export function isNumeric(values: (string | undefined | null)[]): boolean {
  const present = values.filter(
    (v): v is string => v !== undefined && v !== null && v !== ''
  );
  return (
    present.some(v => Number.isFinite(toNumber(v))) &&
    present.every(v => v.trim() === 'NaN' || !Number.isNaN(toNumber(v)))
  );
}

/** A column of values mapped onto an axis: numbers as they are, categories as positions. */
export interface IAxisValues {
  values: number[];
  categorical: boolean;
  /** Tick positions and labels of a categorical axis. */
  tickvals?: number[];
  ticktext?: string[];
}

/**
 * Map a column of values onto a numeric axis. Numeric columns stay numbers
 * (missing -> NaN); anything else becomes categories at integer positions
 * 0..n-1 in sorted order, missing values as the category "(none)".
 */
export function axisValues(values: (string | undefined | null)[]): IAxisValues {
  if (isNumeric(values)) {
    return {
      values: values.map(v => toNumber(v ?? null)),
      categorical: false
    };
  }
  const labels = values.map(v =>
    v === undefined || v === null || v === '' ? '(none)' : String(v)
  );
  const ticktext = Array.from(new Set(labels)).sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true })
  );
  const index = new Map(ticktext.map((t, i) => [t, i]));
  return {
    values: labels.map(l => index.get(l) as number),
    categorical: true,
    tickvals: ticktext.map((_, i) => i),
    ticktext
  };
}

/**
 * A run's string for Plotly, which reads `<b>`, `<a href>` and entities in
 * names, labels and hover text as markup: escaped, it shows as written.
 */
export function plotlyText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
