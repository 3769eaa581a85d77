import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import type { Frame } from '../slices/frame.js';
import { slicePointPixel, sliceGeometry } from '../slices/geometry.js';
import type { PaletteName } from '../slices/palette.js';
import { renderLegend } from '../slices/render.js';
import { StoreError } from '../store/errors.js';
import type { RunRecord, StoredSlice, StoreReader } from '../store/types.js';
import { loadDataset } from '../trainer/datasets/load.js';
import { composeVideoFrame, videoSteps } from '../videos/compose.js';
import { encodeMp4 } from '../videos/encode.js';
import { findFfmpeg, type FfmpegBinary } from '../videos/locate-ffmpeg.js';

/** What to render: recorded runs side by side on slices of one set, synchronised by step. */
export interface VideoRequest {
  /** Run names (their --out folders); several are shown side by side and must share a slice set. */
  runs: string[];
  /** A slice set by name (e.g. one made by rerender); empty or absent: the runs' own. */
  sliceSet?: string;
  /** Slice positions in the set, or all of them. */
  slices: number[] | 'all';
  /** `every`: one video frame per recorded step; `log`: about `frames` log-spaced steps. */
  time: 'every' | 'log';
  frames: number;
  fps: number;
  /** Upscaling of the slices, without smoothing. */
  scale: number;
  /** The class colours (default `default`). */
  palette?: PaletteName;
  /** The first step shown (inclusive; default the first recorded). */
  from?: number;
  /** The last step shown (inclusive; default the newest recorded). */
  to?: number;
  /** The MP4 file to write (replaced atomically when complete). */
  out: string;
}

/** What was written. */
export interface VideoResult {
  file: string;
  frames: number;
  width: number;
  height: number;
  fps: number;
  firstStep: number;
  lastStep: number;
  ffmpeg: FfmpegBinary;
}

export interface RenderCallbacks {
  /** After each encoded frame. */
  onProgress?: (progress: { written: number; total: number }) => void;
  /** Aborting stops the encoding and leaves no file (the previous one at `out`, if any, stays). */
  signal?: AbortSignal;
}

const POINT_NAMES = ['a', 'b', 'c'] as const;

/**
 * The latest frame at or before each step asked (the first frame when there is none yet), for steps
 * asked in increasing order: frames are decoded as the steps advance, never all held at once.
 */
function frameCursor(
  frames: Iterator<{ step: number; frame: Frame }>,
): (step: number) => { step: number; frame: Frame } | undefined {
  let shown: { step: number; frame: Frame } | undefined;
  let next = frames.next();
  return (step) => {
    while (!next.done && (shown === undefined || next.value.step <= step)) {
      shown = next.value;
      next = frames.next();
    }
    return shown;
  };
}

/** Throws InvalidArgumentError for a step range whose `from` is after its `to`. */
export function checkStepRange(range: { from?: number | undefined; to?: number | undefined }): void {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to)
    throw new InvalidArgumentError(`reversed step range: from ${range.from} is after to ${range.to}`);
}

/** The runs a request names, checked: recorded, on one slice set. */
function chosenRuns(store: StoreReader, names: string[]): RunRecord[] {
  const runs = names.map((name) => {
    const run = store.runByName(name);
    if (!run) {
      const known = store.runs().map((r) => r.name);
      throw new StoreError(`no run named ${name} in the store; runs: ${known.join(', ') || 'none'}`);
    }
    if (run.setId === null) throw new StoreError(`run ${name} recorded no slices; train it with --record`);
    return run;
  });
  if (new Set(runs.map((r) => r.setId)).size > 1)
    throw new InvalidArgumentError('runs side by side must have been recorded on the same slice set');
  return runs;
}

/** The slices a request names. */
function chosenSlices(store: StoreReader, runs: RunRecord[], request: VideoRequest): StoredSlice[] {
  const set = request.sliceSet ? store.sliceSetByName(request.sliceSet) : store.sliceSet(runs[0]!.setId!);
  if (!set) throw new InvalidArgumentError(`no slice set named ${request.sliceSet}`);
  const positions = request.slices === 'all' ? set.slices.map((s) => s.position) : request.slices;
  return positions.map((p) => {
    const slice = set.slices.find((s) => s.position === p);
    if (!slice) throw new InvalidArgumentError(`slice ${p} is not in set ${set.name} (0-${set.slices.length - 1})`);
    return slice;
  });
}

/**
 * Renders recorded runs on recorded slices as an MP4: one panel per run and slice, side by side and
 * synchronised by step, with the run's name, step, loss and test accuracy over each panel, a, b and c
 * marked and shown as images beside it, and the class legend in the request's palette; the recorded
 * steps from `from` to `to` when given. Frames are decoded as the video advances, so memory does not
 * grow with the run's length.
 */
export async function renderVideo(
  store: StoreReader,
  request: VideoRequest,
  callbacks: RenderCallbacks = {},
): Promise<VideoResult> {
  checkStepRange(request);
  const ffmpeg = findFfmpeg();
  const runs = chosenRuns(store, request.runs);
  const slices = chosenSlices(store, runs, request);
  const range = { from: request.from, to: request.to };
  const steps = videoSteps(
    runs.flatMap((run) => slices.flatMap((slice) => store.frameSteps(run.id, slice.id, range))),
    request.time,
    request.frames,
  );
  if (steps.length === 0)
    throw new StoreError(
      request.from === undefined && request.to === undefined
        ? 'the chosen runs have no recorded frames'
        : `the chosen runs have no recorded frames from step ${request.from ?? 0} to ${request.to ?? 'the end'}`,
    );
  const dataset = loadDataset(runs[0]!.config.dataset);
  const columns = runs.flatMap((run) =>
    slices.map((slice) => {
      const geometry = sliceGeometry(slice.vectors.a, slice.vectors.b, slice.vectors.c, {
        resolution: slice.resolution,
      });
      return {
        run,
        slice,
        markers: POINT_NAMES.map((name) => ({ name, ...slicePointPixel(geometry, name, slice.vectors[name]) })),
        thumbnails: POINT_NAMES.map((name) => ({ name, image: slice.vectors[name], shape: dataset.imageShape })),
        // From the newest frame at or before `from`, shown until this run's next frame in the range.
        frameAt: frameCursor(
          store.frames(run.id, slice.id, {
            from:
              request.from === undefined ? undefined : store.frameSteps(run.id, slice.id, { to: request.from }).at(-1),
            to: request.to,
          }),
        ),
        loss: new Map(store.scalars(run.id, 'loss').map((s) => [s.step, s.value])),
        epoch: new Map(store.scalars(run.id, 'epoch').map((s) => [s.step, s.value])),
        accuracy: store.scalars(run.id, 'testAccuracy'),
      };
    }),
  );
  const palette = request.palette ?? 'default';
  const legend = renderLegend(dataset.classNames, 2, palette);
  const frameAtStep = (step: number) =>
    composeVideoFrame(
      columns.map((c) => {
        const shown = c.frameAt(step)!;
        const accuracy = c.accuracy.filter((a) => a.step <= shown.step).at(-1);
        const loss = c.loss.get(shown.step);
        const epoch = c.epoch.get(shown.step);
        return {
          frame: shown.frame,
          palette,
          markers: c.markers,
          thumbnails: c.thumbnails,
          caption: [
            `${c.run.name.split('/').at(-1)} - ${c.slice.name}`,
            `step ${shown.step}${epoch === undefined ? '' : `  epoch ${epoch.toFixed(2)}`}${loss === undefined ? '' : `  loss ${loss.toFixed(3)}`}`,
            accuracy ? `test acc ${(100 * accuracy.value).toFixed(1)}%` : '',
          ],
        };
      }),
      legend,
      request.scale,
    );
  const first = frameAtStep(steps[0]!);
  function* rgbFrames() {
    for (const step of steps) yield step === steps[0] ? first.rgb : frameAtStep(step).rgb;
  }
  mkdirSync(dirname(request.out) || '.', { recursive: true });
  const frames = await encodeMp4(rgbFrames(), request.out, {
    width: first.width,
    height: first.height,
    fps: request.fps,
    onProgress: (written) => callbacks.onProgress?.({ written, total: steps.length }),
    ...(callbacks.signal ? { signal: callbacks.signal } : {}),
    ffmpeg: ffmpeg.path,
  });
  return {
    file: request.out,
    frames,
    width: first.width,
    height: first.height,
    fps: request.fps,
    firstStep: steps[0]!,
    lastStep: steps.at(-1)!,
    ffmpeg,
  };
}
