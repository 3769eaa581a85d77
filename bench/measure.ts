import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/rng.js';
import type { Dataset } from '../trainer/datasets/dataset.js';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs `task` in a fresh temporary folder named from `prefix`, removed however the task ends. */
export async function inTempDir<T>(prefix: string, task: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await task(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median milliseconds of `repeats` runs. */
export async function medianMs(run: () => Promise<unknown> | unknown, repeats: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The kernels `run` spends most time in, one line each, for `--profile`. */
export async function topKernels(run: () => Promise<unknown>, count = 8): Promise<string> {
  const info = await tf.profile(async () => {
    await run();
  });
  const byKernel = new Map<string, number>();
  // Ops that call other ops show up as `name__op` around their kernels: count the kernels only.
  for (const k of info.kernels)
    if (!k.name.endsWith('__op')) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...byKernel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `    ${name.padEnd(24)} ${ms.toFixed(1)} ms`)
    .join('\n');
}

/** Random 32×32×3 images and labels: CIFAR-10's shape, for timing models without the dataset. */
export function randomCifarLike(count: number): Dataset {
  const rng = createRng(1);
  const split = {
    images: Uint8Array.from({ length: count * 3072 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
  };
  return { spec: 'random', imageShape: [32, 32, 3], classNames: [...'0123456789'], train: split, test: split };
}
