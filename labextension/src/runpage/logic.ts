/**
 * Pure logic of the run page and the compare view: number parsing, smoothing,
 * x axes, categorical axes, diff-only rows, artifact kinds and CSV. No DOM, so
 * jest tests it in Node.
 */
import { MetricValue } from '../tokens';
import { IPoint } from './types';

/** A wire metric value as a number (NaN and the infinities arrive as strings). */
export function toNumber(
  value: MetricValue | string | null | undefined
): number {
  if (value === null || value === undefined) {
    return NaN;
  }
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'Infinity') {
    return Infinity;
  }
  if (value === '-Infinity') {
    return -Infinity;
  }
  const trimmed = value.trim();
  return trimmed === '' ? NaN : Number(trimmed);
}

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

/** Last, min and max of a series (non-finite values skipped for min/max). */
export function summarize(points: IPoint[]): {
  last: number;
  min: number;
  max: number;
} {
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    const v = toNumber(p.value);
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const last = points.length ? toNumber(points[points.length - 1].value) : NaN;
  return {
    last,
    min: min === Infinity ? NaN : min,
    max: max === -Infinity ? NaN : max
  };
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

/** A row of a side-by-side table. */
export interface ICompareRow {
  key: string;
  values: (string | undefined)[];
  differs: boolean;
}

/**
 * The rows of one section of the compare table. A row differs when the runs
 * do not all hold the same value (a missing value counts as a value).
 */
export function compareRows(
  keys: string[],
  columns: Record<string, string | number | undefined>[],
  diffOnly: boolean
): ICompareRow[] {
  const rows = keys.map(key => {
    const values = columns.map(c =>
      c[key] === undefined ? undefined : String(c[key])
    );
    const differs =
      new Set(values.map(v => (v === undefined ? '\u0000' : v))).size > 1;
    return { key, values, differs };
  });
  return diffOnly ? rows.filter(r => r.differs) : rows;
}

/** How an artifact is previewed, from its name. */
export type PreviewKind = 'image' | 'csv' | 'notebook' | 'text' | 'none';

const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'json',
  'yaml',
  'yml',
  'md',
  'py',
  'toml',
  'cfg',
  'ini',
  'html',
  'xml',
  'sh',
  'r',
  'js',
  'ts'
]);
const TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'requirements.txt']);
const IMAGE_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'bmp'
]);

export function previewKind(path: string): PreviewKind {
  const name = path.split('/').pop() ?? path;
  if (TEXT_NAMES.has(name)) {
    return 'text';
  }
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (IMAGE_EXTENSIONS.has(ext)) {
    return 'image';
  }
  if (ext === 'csv' || ext === 'tsv') {
    return 'csv';
  }
  if (ext === 'ipynb') {
    return 'notebook';
  }
  if (TEXT_EXTENSIONS.has(ext) || ext === '') {
    return 'text';
  }
  return 'none';
}

/**
 * Parse CSV text (RFC 4180 quoting) into rows, at most `maxRows` rows
 * (the header included).
 */
export function parseCsv(
  text: string,
  maxRows = 201,
  delimiter = ','
): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length && rows.length < maxRows) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') {
        i += 1;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
    i += 1;
  }
  if ((field !== '' || row.length > 0) && rows.length < maxRows) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A number for a table cell: short but exact enough. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'Infinity' : '-Infinity';
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  return Number(value.toPrecision(6)).toString();
}

/** A file size in bytes as text. */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
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
