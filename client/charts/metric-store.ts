/**
 * The slice metrics over time (area and components per class, boundary and flipped pixels) of the
 * compared runs' focused slice, fetched in chunks of METRIC_SPAN steps (the server's span limit),
 * the newest chunk first and then coarse to fine, so a long run shows its whole shape early. A
 * growing run is extended by its new steps only, at most LIVE_PER_SECOND requests a second per run.
 * Environment-neutral (an injected fetch and clock), so it is tested in Node.
 */
import type { RunId, SliceId } from '../../core/ids.js';
import type { SliceMetricSeries } from '../../server/protocol.js';
import { MAX_METRIC_SPAN } from '../../server/wire-format.js';

/** Steps per request: the server's span limit. */
export const METRIC_SPAN = MAX_METRIC_SPAN;
/** Requests a run may have in flight. */
const IN_FLIGHT_PER_RUN = 2;
/** Live extensions of a run a second, at most. */
const LIVE_PER_SECOND = 2;
/** After a failed request, the wait before the next one, in ms. */
const RETRY_MS = 5000;
/** Run/slice pairs kept (the least recently shown is dropped). */
const MAX_ENTRIES = 8;

export type FetchMetrics = (run: RunId, slice: SliceId, from: number, to: number) => Promise<SliceMetricSeries>;

/** The metrics known so far, in step order; a step with empty per-class arrays and NaN counts marks a gap. */
export type MetricSeries = Omit<SliceMetricSeries, 'runId' | 'sliceId'>;

interface Entry {
  run: RunId;
  slice: SliceId;
  /** Fetched chunks by index, each with the last step it covers. */
  chunks: Map<number, { upTo: number; series: MetricSeries }>;
  pending: Set<number>;
  newest: number;
  lastLive: number;
  failedAt: number;
  merged: MetricSeries | undefined;
}

/** Chunk indices 0…n−1, the last first, then the rest coarse to fine (every 2^k-th, halving k). */
export function chunkOrder(n: number): number[] {
  if (n <= 0) return [];
  const order = new Set([n - 1]);
  for (let stride = 2 ** Math.floor(Math.log2(n)); stride >= 1; stride /= 2) {
    for (let k = 0; k < n; k += stride) order.add(k);
  }
  return [...order];
}

export class MetricStore {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<RunId, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The last failure, for the chart to show; cleared by a success. */
  error: string | null = null;

  constructor(
    private readonly fetchMetrics: FetchMetrics,
    /** Called when metrics arrived or a request failed. */
    private readonly onChange: () => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * The metrics of a run's slice known so far (undefined before any arrived), fetching what is
   * missing up to `newest`, the run's newest committed step.
   */
  get(run: RunId, slice: SliceId, newest: number): MetricSeries | undefined {
    const key = `${run}:${slice}`;
    let entry = this.entries.get(key);
    // A resumed run commits its steps again from its checkpoint: what was fetched past it is stale.
    if (entry === undefined || newest < entry.newest) {
      entry = {
        run,
        slice,
        chunks: new Map(),
        pending: new Set(),
        newest,
        lastLive: -Infinity,
        failedAt: -Infinity,
        merged: undefined,
      };
    }
    entry.newest = newest;
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.pump(entry);
    if (entry.merged === undefined && entry.chunks.size > 0) entry.merged = merge(entry.chunks);
    return entry.merged;
  }

  /** Starts the requests an entry may make now, and a timer for those it must wait for. */
  private pump(entry: Entry): void {
    const now = this.now();
    if (now - entry.failedAt < RETRY_MS) return this.wake(entry.failedAt + RETRY_MS - now);
    for (const k of chunkOrder(Math.floor(entry.newest / METRIC_SPAN) + 1)) {
      if ((this.inFlight.get(entry.run) ?? 0) >= IN_FLIGHT_PER_RUN) return;
      const from = Math.max(k * METRIC_SPAN, (entry.chunks.get(k)?.upTo ?? -1) + 1);
      const to = Math.min((k + 1) * METRIC_SPAN - 1, entry.newest);
      if (entry.pending.has(k) || from > to) continue;
      if (entry.chunks.has(k)) {
        const wait = entry.lastLive + 1000 / LIVE_PER_SECOND - now;
        if (wait > 0) {
          this.wake(wait);
          continue;
        }
        entry.lastLive = now;
      }
      void this.load(entry, k, from, to);
    }
  }

  private async load(entry: Entry, k: number, from: number, to: number): Promise<void> {
    entry.pending.add(k);
    this.inFlight.set(entry.run, (this.inFlight.get(entry.run) ?? 0) + 1);
    try {
      const got = await this.fetchMetrics(entry.run, entry.slice, from, to);
      const known = entry.chunks.get(k);
      entry.chunks.set(k, { upTo: to, series: known ? append(known.series, got) : got });
      entry.merged = undefined;
      this.error = null;
    } catch (error) {
      entry.failedAt = this.now();
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      entry.pending.delete(k);
      this.inFlight.set(entry.run, this.inFlight.get(entry.run)! - 1);
    }
    this.onChange();
  }

  private wake(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, ms);
  }
}

function append(a: MetricSeries, b: MetricSeries): MetricSeries {
  return {
    steps: [...a.steps, ...b.steps],
    area: [...a.area, ...b.area],
    components: [...a.components, ...b.components],
    boundary: [...a.boundary, ...b.boundary],
    flipped: [...a.flipped, ...b.flipped],
  };
}

/** The chunks in step order, with a gap point where a chunk between two is still missing. */
function merge(chunks: Map<number, { series: MetricSeries }>): MetricSeries {
  const out: MetricSeries = { steps: [], area: [], components: [], boundary: [], flipped: [] };
  let previous = -1;
  for (const k of [...chunks.keys()].sort((a, b) => a - b)) {
    if (previous >= 0 && k > previous + 1) {
      out.steps.push((previous + 1) * METRIC_SPAN);
      out.area.push([]);
      out.components.push([]);
      out.boundary.push(NaN);
      out.flipped.push(NaN);
    }
    const s = chunks.get(k)!.series;
    out.steps.push(...s.steps);
    out.area.push(...s.area);
    out.components.push(...s.components);
    out.boundary.push(...s.boundary);
    out.flipped.push(...s.flipped);
    previous = k;
  }
  return out;
}
