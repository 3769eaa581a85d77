import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';

/** Images `start` to `start + count − 1` of a request, made when the batch runs (inside a tidy). */
export type ImageRange = (start: number, count: number) => tf.Tensor4D;

/** Part of an ask: `count` images, made range by range, through a classifier (the batch's by default). */
export interface BatchPart {
  count: number;
  images: ImageRange;
  /** What the images go through: the batch's classifier, or another (a network's head, recorder/plane-cnn.ts). */
  through?: Classifier;
}

/** A part being answered: where its rows go. */
interface Pending {
  count: number;
  images: ImageRange;
  through: Classifier;
  answer: (logProbabilities: Float32Array) => void;
}

/** A participant's ask: its parts, all answered in the same pass. */
interface Ask {
  parts: Pending[];
  reject: (error: unknown) => void;
}

/**
 * One model pass for several callers: each participant (a slice being evaluated, a frame's
 * profile points) asks for the class log-probabilities of some images and waits; once every
 * participant still running is waiting, all their images go through the classifier together, in
 * chunks of `chunk` images, with a single read-back. A slice's refinement rounds thus cost one
 * model call per round for all slices of a step, not one per slice.
 */
export class ModelBatch {
  private waiting: Ask[] = [];
  private flushing = false;
  /** Model calls (read-backs) made so far. */
  calls = 0;

  /**
   * @param participants how many callers take part; each ends with `leave()`.
   * @param chunk images per classifier call within a pass, bounding the backend's memory.
   */
  constructor(
    readonly classifier: Classifier,
    private participants: number,
    private readonly chunk = 512,
  ) {}

  /**
   * Class log-probabilities [count × classes] of `count` images, which `images` makes range by
   * range when the batch runs, once every other running participant has asked too. The images go
   * through the batch's classifier, or `through` (inputs of another shape, such as a network's
   * features for its last layers).
   */
  async logProbabilities(count: number, images: ImageRange, through = this.classifier): Promise<Float32Array> {
    const [logProbabilities] = await this.ask([{ count, images, through }]);
    return logProbabilities!;
  }

  /**
   * Several parts in one ask (a participant waits once): each part's log-probabilities, in order.
   * Parts through the same classifier, of this ask and the others, run together.
   */
  ask(parts: BatchPart[]): Promise<Float32Array[]> {
    const results: Float32Array[] = parts.map(() => new Float32Array(0));
    const asked = parts.filter((part) => part.count > 0);
    if (asked.length === 0) return Promise.resolve(results);
    return new Promise((resolve, reject) => {
      let left = asked.length;
      const pending = parts.flatMap(({ count, images, through = this.classifier }, i) =>
        count === 0
          ? []
          : [
              {
                count,
                images,
                through,
                answer: (logProbabilities: Float32Array) => {
                  results[i] = logProbabilities;
                  if (--left === 0) resolve(results);
                },
              },
            ],
      );
      this.waiting.push({ parts: pending, reject });
      this.flushWhenReady();
    });
  }

  /** A participant that asks for nothing more. */
  leave(): void {
    this.participants--;
    this.flushWhenReady();
  }

  /** Runs `task` as a participant, leaving the batch however it ends. */
  async join<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private flushWhenReady(): void {
    if (this.flushing || this.waiting.length === 0 || this.waiting.length < this.participants) return;
    const asks = this.waiting;
    this.waiting = [];
    this.flushing = true;
    const groups = new Map<Classifier, Pending[]>();
    for (const part of asks.flatMap((a) => a.parts))
      groups.set(part.through, [...(groups.get(part.through) ?? []), part]);
    Promise.all([...groups.values()].map((group) => this.run(group)))
      .catch((error: unknown) => {
        for (const a of asks) a.reject(error);
      })
      .finally(() => {
        this.flushing = false;
        this.flushWhenReady();
      });
  }

  /** One model call for parts through the same classifier, answering each with its rows. */
  private async run(requests: Pending[]): Promise<void> {
    this.calls++;
    const { through } = requests[0]!;
    const total = requests.reduce((n, r) => n + r.count, 0);
    const logProbabilities = tf.tidy(() => {
      const parts: tf.Tensor[] = [];
      // Each chunk is made from the ranges of the requests it spans (never sliced out of one big
      // tensor: the wasm backend copies a tensor's whole buffer to slice it, which cost as much as
      // the model), and its activations are freed before the next chunk runs.
      for (let start = 0; start < total; start += this.chunk) {
        const end = Math.min(total, start + this.chunk);
        parts.push(
          tf.tidy(() => {
            const pieces: tf.Tensor4D[] = [];
            let offset = 0;
            for (const r of requests) {
              const from = Math.max(start, offset);
              const to = Math.min(end, offset + r.count);
              if (from < to) pieces.push(r.images(from - offset, to - from));
              offset += r.count;
            }
            const images = pieces.length === 1 ? pieces[0]! : tf.concat(pieces);
            return tf.logSoftmax(through.logits(images));
          }),
        );
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts);
    });
    let all: Float32Array;
    try {
      all = (await logProbabilities.data()) as Float32Array;
    } finally {
      logProbabilities.dispose();
    }
    const classes = all.length / total;
    let offset = 0;
    for (const r of requests) {
      r.answer(all.subarray(offset, offset + r.count * classes));
      offset += r.count * classes;
    }
  }
}
