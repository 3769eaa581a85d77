import type * as tf from '@tensorflow/tfjs';
import type { RunId, SliceId } from '../core/ids.js';
import type { FrameWrite, StoredSlice, StoreWriter } from '../store/types.js';
import { classifierOf } from '../trainer/models/classifier.js';
import type { StepResult } from '../trainer/train-loop.js';
import { SliceEvaluator, evaluateFrames, type EvaluationMode } from './evaluate.js';
import type { Frame } from '../slices/frame.js';
import { encodeFrame } from '../slices/frame-codec.js';
import { sliceGeometry } from '../slices/geometry.js';

/** The scalars of a training step as stored: loss, learning rate, epoch, and attack time when adversarial. */
export function stepScalars(result: StepResult): Record<string, number> {
  return {
    loss: result.loss,
    lr: result.lr,
    epoch: result.epoch,
    ...(result.attackMs > 0 ? { attackMs: result.attackMs } : {}),
  };
}

/** The key-frame interval (bounding decode chains) and profile samples every recording uses. */
export const FRAME_ENCODING = { keyEvery: 16, profileSamples: 32 } as const;

/** Which steps get frames: every k-th, or log-spaced (about `perDecade` per factor of ten). */
export type RecordSchedule = { kind: 'every'; k: number } | { kind: 'log'; perDecade: number };

/** Whether a step is recorded under a schedule (step 1 always is). */
export function isRecorded(schedule: RecordSchedule, step: number): boolean {
  if (step === 1) return true;
  if (schedule.kind === 'every') return step % schedule.k === 0;
  const at = (s: number) => Math.floor(schedule.perDecade * Math.log10(s));
  return at(step) !== at(step - 1);
}

export interface RecorderOptions {
  mode: EvaluationMode;
  schedule: RecordSchedule;
  /** A key (non-delta) frame every this many recorded frames, bounding decode chains. */
  keyEvery: number;
  profileSamples: number;
  /** Whether chosen pixels may go through the network's plane form (SliceEvaluator; default true). */
  planeForm?: boolean;
}

/**
 * The per-minibatch recorder: after each training step it evaluates every slice of the set on the
 * updated model and writes the frames, with the step's scalars, in one store transaction. Training
 * waits for it, so it never reads weights the optimizer is changing.
 */
export class Recorder {
  private readonly evaluators: SliceEvaluator[];
  private readonly previous = new Map<SliceId, Frame>();
  private recorded = 0;

  constructor(
    private readonly store: Pick<StoreWriter, 'putStep'>,
    private readonly runId: RunId,
    private readonly slices: StoredSlice[],
    private readonly imageShape: readonly [number, number, number],
    private readonly classes: number,
    private readonly options: RecorderOptions,
  ) {
    this.evaluators = slices.map(
      (s) =>
        new SliceEvaluator(
          sliceGeometry(s.vectors.a, s.vectors.b, s.vectors.c, { resolution: s.resolution }),
          imageShape,
          undefined,
          options.planeForm,
        ),
    );
  }

  /** Stores only a step's scalars (a step without frames). */
  recordScalars(result: StepResult, extra: Record<string, number> = {}): void {
    this.store.putStep(this.runId, result.step, { ...stepScalars(result), ...extra }, []);
  }

  /** Records one step: the frames when the schedule says so, the scalars always. */
  async record(result: StepResult, model: tf.LayersModel, extra: Record<string, number> = {}): Promise<void> {
    if (!isRecorded(this.options.schedule, result.step)) {
      this.recordScalars(result, extra);
      return;
    }
    this.store.putStep(this.runId, result.step, { ...stepScalars(result), ...extra }, await this.frames(model));
  }

  /**
   * Every slice evaluated on the model, all in one batch (evaluateFrames), encoded: a key frame
   * every `keyEvery` calls, else a delta against the slice's previous frame. In temporal mode the
   * first and every `every`-th frame are evaluated afresh. The one loop that recording and
   * rerendering share.
   */
  async frames(model: tf.LayersModel): Promise<FrameWrite[]> {
    const { mode, keyEvery, profileSamples } = this.options;
    const key = this.recorded % keyEvery === 0;
    const refresh = mode.kind === 'temporal' && this.recorded % mode.every === 0;
    const frames = await evaluateFrames(
      classifierOf(model),
      this.slices.map((slice, i) => {
        const previous = this.previous.get(slice.id);
        return { evaluator: this.evaluators[i]!, points: slice.vectors, refresh, ...(previous && { previous }) };
      }),
      { mode, classes: this.classes, profileSamples, frame: this.recorded },
    );
    const writes = this.slices.map((slice, i) => {
      const previous = this.previous.get(slice.id);
      const delta = !key && previous !== undefined;
      this.previous.set(slice.id, frames[i]!);
      return { sliceId: slice.id, delta, data: encodeFrame(frames[i]!, delta ? previous : undefined) };
    });
    this.recorded++;
    return writes;
  }

  dispose(): void {
    for (const e of this.evaluators) e.dispose();
  }
}
