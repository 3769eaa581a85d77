/**
 * How the page writes numbers and names: run names as their last path segment, metrics to three
 * significant digits, accuracies as percentages, counts with thousands separators. Pure, so the
 * labels read the same everywhere and are tested once. A missing value reads as an em dash.
 */

/** What a value the run has not reported yet reads as. */
export const MISSING = '—';

/** A run's short name: the last segment of its folder (`/tmp/dev/runs/base` → `base`). */
export function runLabel(name: string): string {
  const parts = name.split(/[\\/]/).filter((part) => part !== '');
  return parts[parts.length - 1] ?? name;
}

/** A metric such as a loss to three significant digits (0.051196 → `0.0512`), or `—`. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** A share 0 to 1 as a percentage with one decimal (0.95541 → `95.5%`), or `—`. */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  return `${(value * 100).toFixed(1)}%`;
}

/** A whole number with thousands separators (1234567 → `1,234,567`). */
export function formatCount(value: number): string {
  const digits = String(Math.round(Math.abs(value))).replace(/\B(?=(\d{3})+$)/g, ',');
  return value < 0 ? `-${digits}` : digits;
}

/** An epoch (fractional: steps / steps per epoch) to two decimals, or `—` when steps per epoch is unknown. */
export function formatEpoch(step: number, stepsPerEpoch: number): string {
  return stepsPerEpoch > 0 ? (step / stepsPerEpoch).toFixed(2) : MISSING;
}

/** Examples seen after `step` minibatches of `batchSize`, or `—` when the batch size is unknown. */
export function formatExamples(step: number, batchSize: number | undefined): string {
  return batchSize !== undefined && batchSize > 0 ? formatCount(step * batchSize) : MISSING;
}

/** A share of a whole as a percentage of progress, rounded down (0.999 → `99%`), for progress bars. */
export function formatProgress(fraction: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

/** A name for a new run that no run's short name has yet: `PRESET-1`, `PRESET-2`, … */
export function freshRunName(preset: string, taken: readonly string[]): string {
  const names = new Set(taken.map(runLabel));
  let n = 1;
  while (names.has(`${preset}-${n}`)) n++;
  return `${preset}-${n}`;
}
