import { describe, expect, it } from '@jest/globals';

import { applyCompletion, completionsAt } from '../sidebar/complete';

const KEYS = {
  params: ['alpha', 'learning rate'],
  metrics: ['rmse', 'r2', 'val_rmse'],
  tags: ['team']
};

const labels = (text: string, cursor = text.length): string[] =>
  completionsAt(text, cursor, KEYS)?.items.map(i => i.label) ?? [];

describe('completionsAt', () => {
  it('suggests the keys of a prefix, starting matches first', () => {
    expect(labels('metrics.r')).toEqual([
      'metrics.rmse',
      'metrics.r2',
      'metrics.val_rmse'
    ]);
    expect(labels('metrics.rm')).toEqual(['metrics.rmse', 'metrics.val_rmse']);
    expect(labels('params.')).toEqual(['params.alpha', 'params.learning rate']);
  });

  it('suggests prefixes and attributes for a bare word', () => {
    expect(labels('met')).toEqual(['metrics.']);
    expect(labels('st')).toEqual(['status', 'start_time']);
  });

  it('completes the word at the cursor, not the end of the text', () => {
    const text = "params.al = '1' and metrics.rmse < 1";
    expect(labels(text, 'params.al'.length)).toEqual(['params.alpha']);
    expect(labels(text)).toEqual([]); // after a number: nothing
  });

  it('accepts the singular and long prefixes', () => {
    expect(labels('metric.r2')).toEqual([]); // written in full already
    expect(labels('param.al')).toEqual(['param.alpha']);
  });

  it('offers nothing inside a string or for an unknown prefix', () => {
    expect(labels("params.alpha = 'met")).toEqual([]);
    expect(labels('foo.b')).toEqual([]);
    expect(completionsAt('metrics.r', 9, null)).toBeNull();
  });

  it('quotes keys that need it when applied', () => {
    const text = 'params.lea';
    const found = completionsAt(text, text.length, KEYS)!;
    const next = applyCompletion(text, found, found.items[0]);
    expect(next.text).toBe('params.`learning rate`');
    expect(next.cursor).toBe(next.text.length);
  });

  it('replaces the whole word around the cursor', () => {
    const text = 'metrics.rm < 1';
    const found = completionsAt(text, 'metrics.r'.length, KEYS)!;
    const next = applyCompletion(text, found, found.items[0]);
    expect(next.text).toBe('metrics.rmse < 1');
    expect(next.cursor).toBe('metrics.rmse'.length);
  });
});
