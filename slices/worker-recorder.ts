import type * as tf from '@tensorflow/tfjs';
import { Worker } from 'node:worker_threads';
import type { StepResult } from '../trainer/train-loop.js';
import type { RecorderWorkerData, RecorderWorkerMessage, RecorderWorkerReply } from './recorder-worker.js';

/**
 * The per-minibatch recorder on a worker thread, so that slice evaluation overlaps training (the
 * trainer and the recorder each have a core). After each step the trainer hands over a snapshot of
 * the weights (copies, so the optimizer never changes what is being evaluated). The queue between
 * them holds at most `queueLimit` snapshots; when it is full the trainer waits, so every step is
 * recorded.
 */
export class WorkerRecorder {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private closed: (() => void) | undefined;

  constructor(
    data: RecorderWorkerData,
    private readonly queueLimit = 2,
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

  /** Queues a step for recording; waits while `queueLimit` snapshots are still being recorded. */
  async record(result: StepResult, model: tf.LayersModel, extra: Record<string, number> = {}): Promise<void> {
    await this.ready;
    while (this.pending >= this.queueLimit && !this.failure)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
    const weights = model.getWeights().map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
    this.pending++;
    const message: RecorderWorkerMessage = { kind: 'step', result, weights, extra };
    this.worker.postMessage(
      message,
      weights.map((w) => w.values.buffer as ArrayBuffer),
    );
  }

  /** Waits until every queued step is recorded, then stops the worker. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    const done = new Promise<void>((resolve) => (this.closed = resolve));
    this.worker.postMessage({ kind: 'close' } satisfies RecorderWorkerMessage);
    await done;
    await this.worker.terminate();
    if (this.failure) throw this.failure;
  }
}
