import type * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import type { StepResult } from '../trainer/train-loop.js';
import type { RecorderWorkerData, RecorderWorkerMessage, RecorderWorkerReply } from './recorder-worker.js';

/**
 * What happens when the recorder falls behind and its queue is full: `wait` (the default) makes the
 * trainer wait, so every step is recorded; `newest` lets training go on, keeps only the newest
 * snapshot waiting, and counts the steps whose frames were skipped (their scalars are kept).
 */
export type RecordPolicy = 'wait' | 'newest';

/**
 * The per-minibatch recorder on a worker thread, so that slice evaluation overlaps training (the
 * trainer and the recorder each have a core). After each step the trainer hands over a snapshot of
 * the weights (copies, so the optimizer never changes what is being evaluated). At most
 * `queueLimit` snapshots are in the worker's queue; see RecordPolicy for what happens beyond.
 */
export class WorkerRecorder {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private closed: (() => void) | undefined;
  private waiting: Extract<RecorderWorkerMessage, { kind: 'step' }> | undefined;
  /** Steps whose frames were skipped under the `newest` policy. */
  skipped = 0;

  constructor(
    data: RecorderWorkerData,
    private readonly queueLimit = 2,
    private readonly policy: RecordPolicy = 'wait',
  ) {
    // Built JavaScript runs the worker file directly; from the TypeScript sources (tests, tsx) the
    // worker first registers tsx's loader, since workers do not inherit `--import`.
    const typescript = import.meta.url.endsWith('.ts');
    const entry = new URL(`./recorder-worker.${typescript ? 'ts' : 'js'}`, import.meta.url);
    this.worker = typescript
      ? new Worker(
          `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
          {
            eval: true,
            workerData: data,
          },
        )
      : new Worker(entry, { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: RecorderWorkerReply) => {
        switch (message.kind) {
          case 'ready':
            resolve();
            break;
          case 'recorded':
            this.pending--;
            if (this.waiting) {
              this.post(this.waiting);
              this.waiting = undefined;
            }
            this.waiters.shift()?.();
            break;
          case 'closed':
            this.closed?.();
            break;
          case 'error':
            this.failure = new Error(`recorder worker: ${message.message}`);
            reject(this.failure);
            for (const wake of this.waiters.splice(0)) wake();
            this.closed?.();
            break;
        }
      });
      this.worker.on('error', (error) => {
        this.failure = error;
        reject(error);
      });
    });
  }

  private post(message: Extract<RecorderWorkerMessage, { kind: 'step' }>): void {
    this.pending++;
    this.worker.postMessage(
      message,
      message.weights.map((w) => w.values.buffer as ArrayBuffer),
    );
  }

  /** Hands a step to the recorder; see RecordPolicy for a full queue. */
  async record(result: StepResult, model: tf.LayersModel, extra: Record<string, number> = {}): Promise<void> {
    await this.ready;
    if (this.policy === 'wait') {
      while (this.pending >= this.queueLimit && !this.failure)
        await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    // Read asynchronously: a GPU backend (webgpu) cannot read synchronously in Node.
    const weights = await Promise.all(
      model.getWeights().map(async (t) => ({ values: Float32Array.from(await t.data()), shape: t.shape })),
    );
    const message = { kind: 'step' as const, result, weights, extra };
    if (this.pending < this.queueLimit) {
      this.post(message);
      return;
    }
    if (this.waiting) {
      // The older waiting snapshot gives way to this one; its scalars are still stored.
      this.worker.postMessage({
        kind: 'scalars',
        result: this.waiting.result,
        extra: this.waiting.extra,
      } satisfies RecorderWorkerMessage);
      this.skipped++;
    }
    this.waiting = message;
  }

  /**
   * Waits until every step handed over so far is committed to the store: the trainer calls it
   * before writing a checkpoint, so a checkpoint never gets ahead of the recorded steps.
   */
  async drain(): Promise<void> {
    await this.ready;
    if (this.waiting) {
      this.post(this.waiting);
      this.waiting = undefined;
    }
    while (this.pending > 0 && !this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  /** Waits until every queued step is recorded, then stops the worker. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.waiting) {
      this.post(this.waiting);
      this.waiting = undefined;
    }
    const done = new Promise<void>((resolve) => (this.closed = resolve));
    this.worker.postMessage({ kind: 'close' } satisfies RecorderWorkerMessage);
    await done;
    await this.worker.terminate();
    if (this.failure) throw this.failure;
  }
}
