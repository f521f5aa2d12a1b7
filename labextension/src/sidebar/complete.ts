/**
 * Suggestions for the filter box: `params.` / `metrics.` / `tags.` keys (from
 * the keys the runs query reported) and attribute names, for the word the
 * cursor is in.
 */
import type { ColumnKind, IRunKeys } from '../api/types';
import { quoteKey } from './query';

/** One suggestion: `text` replaces the characters from `from` to `to`. */
export interface ICompletion {
  label: string;
  text: string;
  /** What it is: `param`, `metric`, `tag`, `attribute`, `prefix`. */
  detail: string;
}

export interface ICompletions {
  from: number;
  to: number;
  items: ICompletion[];
}

const PREFIX_KIND: Record<string, ColumnKind> = {
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  metric: 'metrics',
  metrics: 'metrics',
  tag: 'tags',
  tags: 'tags'
};

const DETAIL: Record<ColumnKind, string> = {
  params: 'param',
  metrics: 'metric',
  tags: 'tag'
};

/** Attributes of a run, as the filter language names them. */
export const RUN_ATTRIBUTES = [
  'run_name',
  'status',
  'start_time',
  'end_time',
  'user_id',
  'run_id'
];

const PREFIXES = ['params.', 'metrics.', 'tags.', 'attributes.'];

/** Longest list offered at once. */
export const MAX_COMPLETIONS = 50;

const WORD_BREAK = /[\s()=!<>,]/;

/** True when the cursor sits inside a quoted string. */
function inString(text: string, cursor: number): boolean {
  let quote: string | null = null;
  for (let i = 0; i < cursor; i++) {
    const ch = text[i];
    if (quote === null) {
      if (ch === "'" || ch === '"' || ch === '`') {
        quote = ch;
      }
    } else if (ch === quote) {
      quote = null;
    }
  }
  return quote !== null;
}

/**
 * Suggestions for the word at `cursor` in `text`, or null when there are none.
 *
 *     completionsAt('metrics.rm', 10, {params: [], metrics: ['rmse'], tags: []})
 *     // {from: 0, to: 10, items: [{label: 'metrics.rmse', text: 'metrics.rmse', ...}]}
 */
export function completionsAt(
  text: string,
  cursor: number,
  keys: IRunKeys | null
): ICompletions | null {
  let start = cursor;
  while (start > 0 && !WORD_BREAK.test(text[start - 1])) {
    start -= 1;
  }
  const word = text.slice(start, cursor);
  if (word === '' || /^['"`\d-]/.test(word) || inString(text, start)) {
    return null;
  }
  let end = cursor;
  while (end < text.length && !WORD_BREAK.test(text[end])) {
    end += 1;
  }
  const dot = word.indexOf('.');
  let items: ICompletion[];
  if (dot >= 0) {
    const prefix = word.slice(0, dot);
    const kind = PREFIX_KIND[prefix.toLowerCase()];
    if (!kind) {
      return null;
    }
    const partial = word
      .slice(dot + 1)
      .replace(/^`/, '')
      .toLowerCase();
    const candidates = keys?.[kind] ?? [];
    // Keys that start with what was typed first, then keys that contain it.
    const starts = candidates.filter(key =>
      key.toLowerCase().startsWith(partial)
    );
    const contains = candidates.filter(
      key =>
        !key.toLowerCase().startsWith(partial) &&
        key.toLowerCase().includes(partial)
    );
    items = [...starts, ...contains].map(key => ({
      label: `${prefix}.${key}`,
      text: `${prefix}.${quoteKey(key)}`,
      detail: DETAIL[kind]
    }));
  } else {
    const lower = word.toLowerCase();
    items = [
      ...PREFIXES.filter(p => p.startsWith(lower)).map(p => ({
        label: p,
        text: p,
        detail: 'prefix'
      })),
      ...RUN_ATTRIBUTES.filter(a => a.startsWith(lower)).map(a => ({
        label: a,
        text: a,
        detail: 'attribute'
      }))
    ];
  }
  // Nothing to offer, or only what is already written in full.
  if (items.length === 0 || (items.length === 1 && items[0].text === word)) {
    return null;
  }
  return { from: start, to: end, items: items.slice(0, MAX_COMPLETIONS) };
}

/** Apply a completion: the new text and where the cursor goes. */
export function applyCompletion(
  text: string,
  completions: ICompletions,
  item: ICompletion
): { text: string; cursor: number } {
  const before = text.slice(0, completions.from) + item.text;
  return { text: before + text.slice(completions.to), cursor: before.length };
}
