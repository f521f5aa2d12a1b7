/**
 * Pure logic of the run page: a series' last, min and max, artifact preview
 * kinds and CSV. No DOM, so jest tests it in Node.
 */
import type { IPoint } from '../api/types';
import { toNumber } from '../common/format';

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
