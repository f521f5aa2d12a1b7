import { describe, expect, it } from '@jest/globals';

import {
  formatDuration,
  formatMetric,
  relativeTime,
  runDuration,
  shorten
} from '../common/format';

describe('format', () => {
  it('shortens long names with an ellipsis, and leaves short ones', () => {
    expect(shorten('abcdef', 6)).toBe('abcdef');
    expect(shorten('abcdefg', 6)).toBe('abcde…');
    expect(shorten('abcdefg', 6)).toHaveLength(6);
  });

  it('writes times relative to now', () => {
    const now = 10_000_000_000;
    expect(relativeTime(now - 1000, now)).toBe('just now');
    expect(relativeTime(now - 90_000, now)).toBe('1 min ago');
    expect(relativeTime(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(relativeTime(now - 8 * 86_400_000, now)).toBe('1 w ago');
    expect(relativeTime(null, now)).toBe('');
  });

  it('writes durations at a useful precision', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 180_000)).toBe('2 h 03 min');
    expect(formatDuration(null)).toBe('');
  });

  it('measures a running run to now and an unfinished stopped one not at all', () => {
    expect(runDuration(1000, 3000, false, 9000)).toBe(2000);
    expect(runDuration(1000, null, true, 9000)).toBe(8000);
    expect(runDuration(1000, null, false, 9000)).toBeNull();
  });

  it('shows metric values, NaN and infinities as the server sends them', () => {
    expect(formatMetric(0.123456789)).toBe('0.123457');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(1e-12)).toBe('1.00000e-12');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric('Infinity')).toBe('∞');
    expect(formatMetric('-Infinity')).toBe('−∞');
    expect(formatMetric(undefined)).toBe('');
  });
});
