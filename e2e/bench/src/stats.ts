// Pure statistics and number formatting for the bench: medians, summaries of samples, ratios.

export interface Summary {
  /** Number of samples. */
  n: number;
  median: number;
  min: number;
  max: number;
}

/** The median; the mean of the two middle values for an even count. Throws on no samples or NaN. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no samples');
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('median of a non-finite sample');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** numerator / denominator, or null when either is missing or the denominator is not positive. */
export function ratio(
  numerator: number | null | undefined,
  denominator: number | null | undefined,
): number | null {
  if (numerator === null || numerator === undefined || denominator === null || denominator === undefined)
    return null;
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator <= 0) return null;
  return numerator / denominator;
}

/** "1.23x", or "n/a" when there is no ratio. */
export function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}

/** A number with `digits` decimals, or "n/a". */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

/** "412.3 (380.1-455.0)": median with the range, for a table cell. */
export function formatSummary(summary: Summary | null, digits = 1): string {
  if (summary === null) return 'n/a';
  if (summary.n === 1) return formatNumber(summary.median, digits);
  return `${formatNumber(summary.median, digits)} (${formatNumber(summary.min, digits)}-${formatNumber(summary.max, digits)})`;
}

/** Round to `digits` decimals for the JSON file (no float noise such as 0.30000000000000004). */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
