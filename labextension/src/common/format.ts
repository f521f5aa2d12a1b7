/** Text for times, durations, sizes and metric values. */
import type { MetricValue } from '../api/types';

const UNITS: Array<[number, string]> = [
  [365 * 86_400_000, 'y'],
  [30 * 86_400_000, 'mo'],
  [7 * 86_400_000, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's']
];

/** `3 min ago`, `2 d ago`, `just now`. */
export function relativeTime(time: number | null, now: number): string {
  if (time === null || !Number.isFinite(time)) {
    return '';
  }
  const delta = now - time;
  if (delta < 5000) {
    return 'just now';
  }
  for (const [size, unit] of UNITS) {
    if (delta >= size) {
      return `${Math.floor(delta / size)} ${unit} ago`;
    }
  }
  return 'just now';
}

/** The full local date and time, for a tooltip. */
export function fullTime(time: number | null): string {
  if (time === null || !Number.isFinite(time)) {
    return '';
  }
  return new Date(time).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium'
  });
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 24 * 60) {
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
  }
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

/** A run's duration: to its end, or to now while it runs. */
export function runDuration(
  start: number | null,
  end: number | null,
  running: boolean,
  now: number
): number | null {
  if (start === null) {
    return null;
  }
  if (end !== null) {
    return end - start;
  }
  return running ? now - start : null;
}

/** A metric value: numbers to 6 significant digits; NaN and infinities as sent. */
export function formatMetric(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      return String(value);
    }
    const text = value.toPrecision(6);
    return text.includes('e') ? text : String(Number(text));
  }
  if (value === 'Infinity') {
    return '∞';
  }
  if (value === '-Infinity') {
    return '−∞';
  }
  return value === undefined || value === null ? '' : String(value);
}

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

/** `text` cut to `max` characters, the last one an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
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
