import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../trainer/models/classifier.js';

interface Request {
  count: number;
  images: () => tf.Tensor4D;
  resolve: (logProbabilities: Float32Array) => void;
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
  private waiting: Request[] = [];
  private flushing = false;
  /** Model calls (read-backs) made so far. */
  calls = 0;

  /**
   * @param participants how many callers take part; each ends with `leave()`.
   * @param chunk images per classifier call within a pass, bounding the backend's memory.
   */
  constructor(
    private readonly classifier: Classifier,
    private participants: number,
    private readonly chunk = 512,
  ) {}

  /**
   * Class log-probabilities [count × classes] of the images `images()` makes (called inside a
   * tidy, when the batch runs), once every other running participant has asked too.
   */
  logProbabilities(count: number, images: () => tf.Tensor4D): Promise<Float32Array> {
    if (count === 0) return Promise.resolve(new Float32Array(0));
    return new Promise((resolve, reject) => {
      this.waiting.push({ count, images, resolve, reject });
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
    const requests = this.waiting;
    this.waiting = [];
    this.flushing = true;
    this.run(requests)
      .then((all) => {
        let offset = 0;
        const classes = all.length / requests.reduce((n, r) => n + r.count, 0);
        for (const r of requests) {
          r.resolve(all.subarray(offset, offset + r.count * classes));
          offset += r.count * classes;
        }
      })
      .catch((error: unknown) => {
        for (const r of requests) r.reject(error);
      })
      .finally(() => {
        this.flushing = false;
        this.flushWhenReady();
      });
  }

  private async run(requests: Request[]): Promise<Float32Array> {
    this.calls++;
    const logProbabilities = tf.tidy(() => {
      const images = tf.concat(requests.map((r) => r.images()));
      const n = images.shape[0];
      const parts: tf.Tensor[] = [];
      for (let start = 0; start < n; start += this.chunk) {
        const size = Math.min(this.chunk, n - start);
        // Each chunk's activations are freed before the next chunk runs.
        parts.push(tf.tidy(() => tf.logSoftmax(this.classifier.logits(images.slice(start, size)))));
      }
      return parts.length === 1 ? parts[0]! : tf.concat(parts);
    });
    try {
      return (await logProbabilities.data()) as Float32Array;
    } finally {
      logProbabilities.dispose();
    }
  }
}
