/**
 * Decoded frames in a bounded window: the dashboard never holds a run's whole history. Frames are
 * fetched by step range (chunks of CHUNK_STEPS, each starting at a key frame so it decodes on its
 * own), decoded once, and kept in a least-recently-used cache of at most `budgetBytes`; live pushes
 * go in the same cache. Visdom's users ran out of memory keeping every image (#745): this is the fix.
 */
import type { RunId, SliceId } from '../../core/ids.js';
import { decodeFrame } from '../../slices/frame-codec.js';
import type { Frame } from '../../slices/frame.js';
import type { FrameRow } from '../../server/wire-format.js';

/** Steps per fetched range. */
export const CHUNK_STEPS = 64;
/** Ranges fetched at once; more wanted ranges wait, the oldest wishes dropped first. */
const MAX_IN_FLIGHT = 4;
const MAX_WANTED = 16;
/** Decoding a fetched range yields to the page after this many milliseconds, so that no task runs long. */
const DECODE_SLICE_MS = 8;

/**
 * Resolves in a later task: the page draws and handles input in between. A message, not a timer:
 * nested timers wait at least 4 ms, and a second in a hidden tab.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.addEventListener('message', () => {
      port1.close();
      resolve();
    });
    port1.start();
    port2.postMessage(null);
  });
}

export type FetchRows = (run: RunId, slice: SliceId, from: number, to: number) => Promise<FrameRow[]>;

/** What a fetched range told us: the recorded steps it held (from its key frame on) and how far it was complete. */
interface RangeInfo {
  steps: number[];
  /** Steps up to here were committed when it was fetched; later ones need a fetch again. */
  upTo: number;
}

/** The bytes a decoded frame holds, roughly: pixels, probabilities and metrics. */
export function frameBytes(frame: Frame): number {
  return 2 * frame.labels.length + 4 * (frame.pointProbabilities.length + frame.profiles.length) + 64 * frame.classes;
}

const sliceKey = (run: RunId, slice: SliceId) => `${run}:${slice}`;

export class FrameWindow {
  private readonly cache = new Map<string, Frame>();
  private readonly ranges = new Map<string, RangeInfo>();
  /** The newest pushed frame of each slice, the base of the next delta push (never evicted). */
  private readonly live = new Map<string, { step: number; frame: Frame }>();
  private readonly inFlight = new Set<string>();
  private wanted: { run: RunId; slice: SliceId; index: number; newest: number }[] = [];
  /** Bumped when a run is forgotten: ranges fetched or decoding for an earlier generation are dropped. */
  private readonly generations = new Map<RunId, number>();
  private held = 0;
  /** The last failure to fetch, for the page to show; cleared by a success. */
  error: string | null = null;

  constructor(
    private readonly fetchRows: FetchRows,
    /** Called whenever newly decoded frames arrived. */
    private readonly onLoad: () => void,
    readonly budgetBytes = 64 * 2 ** 20,
    /** A fetched range decodes in tasks of about this many milliseconds. */
    private readonly decodeSliceMs = DECODE_SLICE_MS,
  ) {}

  /** Whether ranges are being fetched or decoded, or wait to be. */
  get loading(): boolean {
    return this.inFlight.size > 0 || this.wanted.length > 0;
  }

  /** Bytes of decoded frames held now (at most budgetBytes, plus one live frame per slice). */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.cache.size;
  }

  /**
   * The frame shown at `step`: the one recorded at the greatest step at or before it, or undefined
   * while it loads (a fetch is started; onLoad fires when it lands). `newest` is the run's newest
   * committed step: at or past it the newest pushed frame is shown.
   */
  at(run: RunId, slice: SliceId, step: number, newest: number): Frame | undefined {
    const exact = this.touch(`${sliceKey(run, slice)}:${step}`);
    if (exact !== undefined) return exact;
    const live = this.live.get(sliceKey(run, slice));
    if (live !== undefined && step >= newest && live.step <= step) return live.frame;
    const index = Math.floor(step / CHUNK_STEPS);
    const info = this.ranges.get(`${sliceKey(run, slice)}:${index}`);
    if (info === undefined || (info.upTo < step && info.upTo < newest)) {
      this.want(run, slice, index, newest);
      return undefined;
    }
    const found = this.before(run, slice, info, step);
    if (found === undefined && info.steps.some((s) => s <= step)) {
      // Recorded but evicted: fetch the range again.
      this.ranges.delete(`${sliceKey(run, slice)}:${index}`);
      this.want(run, slice, index, newest);
    }
    return found;
  }

  /**
   * The step of the frame `at` returns for the same arguments (the recorded step at or before
   * `step` that is held), or undefined when it would return none. Starts no fetch.
   */
  recordedStep(run: RunId, slice: SliceId, step: number, newest: number): number | undefined {
    const key = sliceKey(run, slice);
    if (this.cache.has(`${key}:${step}`)) return step;
    const live = this.live.get(key);
    if (live !== undefined && step >= newest && live.step <= step) return live.step;
    const info = this.ranges.get(`${key}:${Math.floor(step / CHUNK_STEPS)}`);
    const recorded = info?.steps.filter((s) => s <= step).at(-1);
    return recorded !== undefined && this.cache.has(`${key}:${recorded}`) ? recorded : undefined;
  }

  /**
   * Starts fetching the ranges covering `from`..`to` that are not held whole (playback reads ahead
   * with this, and asks again while it waits): never fetched, or with frames evicted since.
   */
  prefetch(run: RunId, slice: SliceId, from: number, to: number, newest: number): void {
    const key = sliceKey(run, slice);
    for (let index = Math.floor(from / CHUNK_STEPS); index <= Math.floor(to / CHUNK_STEPS); index++) {
      const info = this.ranges.get(`${key}:${index}`);
      if (info === undefined || !info.steps.every((step) => this.cache.has(`${key}:${step}`)))
        this.want(run, slice, index, newest);
    }
  }

  /**
   * A live frame push: rows that decode from a key frame (`base` null) or from the frame of step
   * `base` pushed last. Returns false when that base is not held (the frame then loads by range).
   */
  push(run: RunId, slice: SliceId, step: number, base: number | null, rows: FrameRow[]): boolean {
    const key = sliceKey(run, slice);
    const previous = this.live.get(key);
    if (base !== null && previous?.step !== base) return false;
    let frame = base === null ? undefined : previous?.frame;
    for (const row of rows) frame = decodeFrame(row.data, row.delta ? frame : undefined);
    if (frame === undefined) return false;
    this.live.set(key, { step, frame });
    this.put(`${key}:${step}`, frame);
    this.onLoad();
    return true;
  }

  /** Forgets a run's frames (it was resumed and commits its steps again). */
  forget(run: RunId): void {
    this.generations.set(run, (this.generations.get(run) ?? 0) + 1);
    const prefix = `${run}:`;
    for (const map of [this.cache, this.ranges, this.live] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) {
        if (!key.startsWith(prefix)) continue;
        if (map === this.cache) this.held -= frameBytes(this.cache.get(key)!);
        map.delete(key);
      }
    }
  }

  private before(run: RunId, slice: SliceId, info: RangeInfo | undefined, step: number): Frame | undefined {
    const recorded = info?.steps.filter((s) => s <= step).at(-1);
    return recorded === undefined ? undefined : this.touch(`${sliceKey(run, slice)}:${recorded}`);
  }

  private touch(key: string): Frame | undefined {
    const frame = this.cache.get(key);
    if (frame !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, frame);
    }
    return frame;
  }

  private put(key: string, frame: Frame): void {
    const old = this.cache.get(key);
    if (old !== undefined) {
      this.held -= frameBytes(old);
      this.cache.delete(key);
    }
    this.cache.set(key, frame);
    this.held += frameBytes(frame);
    for (const [oldest, evicted] of this.cache) {
      if (this.held <= this.budgetBytes) break;
      this.cache.delete(oldest);
      this.held -= frameBytes(evicted);
    }
  }

  /** A range's key while it is fetched and decoded: a range of a forgotten run is another range. */
  private rangeKey(run: RunId, slice: SliceId, index: number): string {
    return `${sliceKey(run, slice)}:${index}:${this.generations.get(run) ?? 0}`;
  }

  private want(run: RunId, slice: SliceId, index: number, newest: number): void {
    const key = this.rangeKey(run, slice, index);
    if (this.inFlight.has(key)) return;
    this.wanted = [
      ...this.wanted.filter((w) => this.rangeKey(w.run, w.slice, w.index) !== key),
      { run, slice, index, newest },
    ];
    if (this.wanted.length > MAX_WANTED) this.wanted = this.wanted.slice(-MAX_WANTED);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.wanted.length > 0) {
      // The newest wish first: the cursor is where the user looks now.
      const { run, slice, index, newest } = this.wanted.pop()!;
      const key = this.rangeKey(run, slice, index);
      this.inFlight.add(key);
      const from = index * CHUNK_STEPS;
      const to = from + CHUNK_STEPS - 1;
      const generation = this.generations.get(run) ?? 0;
      this.fetchRows(run, slice, from, to)
        .then(async (rows) => {
          const info = { steps: rows.map((r) => r.step), upTo: Math.min(to, newest) };
          if (await this.load(run, slice, rows, info, index, generation)) this.error = null;
        })
        .catch((error: unknown) => {
          this.error = error instanceof Error ? error.message : String(error);
        })
        .finally(() => {
          this.inFlight.delete(key);
          this.onLoad();
          this.pump();
        });
    }
  }

  /**
   * Decodes a fetched range into the cache, yielding to the page every `decodeSliceMs`; stops if
   * the run was forgotten meanwhile (its frames are being recorded again). Whether it completed.
   */
  private async load(
    run: RunId,
    slice: SliceId,
    rows: FrameRow[],
    info: RangeInfo,
    index: number,
    generation: number,
  ): Promise<boolean> {
    const current = () => (this.generations.get(run) ?? 0) === generation;
    let frame: Frame | undefined;
    let sliceStart = performance.now();
    for (const row of rows) {
      if (performance.now() - sliceStart > this.decodeSliceMs) {
        await nextTask();
        sliceStart = performance.now();
      }
      if (!current()) return false;
      if (row.delta && frame === undefined)
        throw new Error(`frames of run ${run} slice ${slice} start with a delta at step ${row.step}`);
      frame = decodeFrame(row.data, row.delta ? frame : undefined);
      this.put(`${sliceKey(run, slice)}:${row.step}`, frame);
    }
    if (!current()) return false;
    this.ranges.set(`${sliceKey(run, slice)}:${index}`, info);
    return true;
  }
}
