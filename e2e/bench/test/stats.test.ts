// The bench's pure arithmetic and formatting: medians, summaries, ratios, table cells.
import { describe, expect, it } from 'vitest';
import { formatNumber, formatRatio, formatSummary, median, ratio, round, summarize } from '../src/stats.js';

describe('median', () => {
  it('takes the middle of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([42])).toBe(42);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and non-finite ones', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
  });
});

describe('summaries and ratios', () => {
  it('summarizes count, median and range', () => {
    expect(summarize([10, 30, 20, 40])).toEqual({ n: 4, median: 25, min: 10, max: 40 });
  });

  it('divides, or says there is no ratio', () => {
    expect(ratio(150, 100)).toBe(1.5);
    expect(ratio(150, 0)).toBeNull();
    expect(ratio(null, 100)).toBeNull();
    expect(ratio(100, undefined)).toBeNull();
  });

  it('formats ratios, numbers and summaries for the table', () => {
    expect(formatRatio(3.979)).toBe('3.98x');
    expect(formatRatio(null)).toBe('n/a');
    expect(formatNumber(28.3031)).toBe('28.3');
    expect(formatNumber(undefined)).toBe('n/a');
    expect(formatSummary({ n: 3, median: 112.62, min: 109.27, max: 115.98 })).toBe('112.6 (109.3-116.0)');
    expect(formatSummary({ n: 1, median: 976.72, min: 976.72, max: 976.72 })).toBe('976.7');
    expect(formatSummary(null)).toBe('n/a');
  });

  it('rounds away float noise for the JSON file', () => {
    expect(round(0.1 + 0.2)).toBe(0.3);
    expect(round(1412.5555, 1)).toBe(1412.6);
  });
});
