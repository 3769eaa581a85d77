/**
 * Fewer points for long series: a chart draws at most a few points per pixel, so a 100,000-step
 * series is cut to its minimum and maximum per bucket of steps, which keeps every spike.
 */

/**
 * Indices of the points of a step-ordered series to draw for the step range [from, to]: all of them
 * when there are at most 2 × `buckets`, else the lowest and highest value of each of `buckets`
 * equal step intervals, in step order. The nearest point outside each end is kept, so the line
 * runs on to the edge of the chart.
 */
export function downsample(
  steps: readonly number[],
  values: ArrayLike<number>,
  from: number,
  to: number,
  buckets: number,
): number[] {
  const first = Math.max(0, lowerBound(steps, from) - 1);
  const end = Math.min(steps.length, lowerBound(steps, to + 1) + 1);
  const out: number[] = [];
  if (end - first <= 2 * buckets) {
    for (let i = first; i < end; i++) out.push(i);
    return out;
  }
  const width = (to - from + 1) / buckets;
  let i = first;
  if (steps[i]! < from) out.push(i++);
  const last = steps[end - 1]! > to ? end - 1 : end;
  while (i < last) {
    const bucket = Math.floor((steps[i]! - from) / width);
    let low = i;
    let high = i;
    for (i++; i < last && Math.floor((steps[i]! - from) / width) === bucket; i++) {
      if (values[i]! < values[low]!) low = i;
      if (values[i]! > values[high]!) high = i;
    }
    out.push(Math.min(low, high));
    if (high !== low) out.push(Math.max(low, high));
  }
  if (last < end) out.push(last);
  return out;
}

/** The first index whose step is at least `step` (steps ascending). */
export function lowerBound(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
