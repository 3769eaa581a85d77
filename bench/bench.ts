/**
 * `npm run bench`: speed figures for BENCHMARKS.md, on the backend chosen as in training (wasm
 * here). Prints medians; ratios compare figures measured in this same run. `--profile` adds the
 * top kernels of one training step of each model.
 */
import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { backendFromEnv, initBackend } from '../trainer/backend.js';
import type { Dataset } from '../trainer/datasets/dataset.js';
import { loadDataset } from '../trainer/datasets/load.js';
import { useStockWasmKernels } from '../trainer/kernels/register.js';
import { buildModel } from '../trainer/models/build.js';
import { parseModelSpec } from '../trainer/models/model-spec.js';
import { createRng } from '../trainer/rng.js';
import { classifierOf } from '../trainer/models/classifier.js';
import { benchSlices } from './slices.js';
import { benchRecording } from './record.js';
import { TrainLoop, type Objective } from '../trainer/train-loop.js';
import { MADRY_CIFAR10_TRAIN, MADRY_MNIST } from '../trainer/attacks/attack.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function randomCifarLike(count: number): Dataset {
  const rng = createRng(1);
  const split = {
    images: Uint8Array.from({ length: count * 3072 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
  };
  return { spec: 'random', imageShape: [32, 32, 3], classNames: [...'0123456789'], train: split, test: split };
}

function makeLoop(model: string, dataset: Dataset, objective: Objective = { kind: 'plain' }): TrainLoop {
  return new TrainLoop(buildModel(parseModelSpec(model), dataset.imageShape, 10, 1), dataset, {
    batchSize: 64,
    lr: 0.01,
    schedule: { kind: 'constant' },
    sgd: { momentum: 0.9, nesterov: false, weightDecay: 5e-4 },
    augmentation: model === 'cnn' ? { kind: 'none' } : { kind: 'crop-flip', pad: 4 },
    seed: 1,
    objective,
  });
}

/** Median milliseconds of a training step (batch 64) after two warm-up steps. */
async function trainStepMs(loop: TrainLoop, steps: number): Promise<number> {
  await loop.runStep();
  await loop.runStep();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await loop.runStep();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median images per second of model.predict + argmax over 4,096 images at a batch size. */
async function predictRate(model: tf.LayersModel, shape: [number, number, number], batch: number): Promise<number> {
  const x = tf.randomUniform([batch, ...shape]);
  const once = async () => {
    const y = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1));
    await y.data();
    y.dispose();
  };
  await once();
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let done = 0; done < 4096; done += batch) await once();
    rates.push((Math.ceil(4096 / batch) * batch) / ((performance.now() - t0) / 1000));
  }
  x.dispose();
  return median(rates);
}

async function profileStep(loop: TrainLoop): Promise<string> {
  const info = await tf.profile(async () => {
    await loop.runStep();
  });
  const byKernel = new Map<string, number>();
  for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
  return [...byKernel]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, ms]) => `    ${name.padEnd(24)} ${ms.toFixed(1)} ms`)
    .join('\n');
}

/** Runs `run` with the stock wasm kernels in place of ours. */
async function withStockKernels<T>(run: () => Promise<T>): Promise<T> {
  useStockWasmKernels(true);
  try {
    return await run();
  } finally {
    useStockWasmKernels(false);
  }
}

const profile = process.argv.includes('--profile');
const only = process.argv.includes('--slices') ? 'slices' : process.argv.includes('--record') ? 'record' : 'all';
const backend = await initBackend(backendFromEnv());
console.log(`# slicewatch bench, ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`backend: ${backend.kind} (${backend.detail})\n`);

const mnist = loadDataset('mnist');
const cifar = randomCifarLike(1024);
for (const [name, dataset, steps] of only !== 'all'
  ? []
  : ([
      ['cnn', mnist, 15],
      ['wrn-10-1', cifar, 7],
    ] as const)) {
  const loop = makeLoop(name, dataset);
  const ours = await trainStepMs(loop, steps);
  let line = `${name} train step, batch 64: ${ours.toFixed(0)} ms (median of ${steps})`;
  if (backend.kind === 'wasm') {
    const stock = await withStockKernels(() => trainStepMs(makeLoop(name, dataset), steps));
    line += `; with the stock wasm Conv2DBackpropInput: ${stock.toFixed(0)} ms (ours ${(stock / ours).toFixed(2)}x faster)`;
  }
  console.log(line);
  if (profile) console.log(`  top kernels of one step:\n${await profileStep(loop)}`);
  const madry = name === 'cnn' ? MADRY_MNIST : MADRY_CIFAR10_TRAIN;
  for (const attackSteps of [7, 40]) {
    const attack = { ...madry, steps: attackSteps };
    const adversarial = await trainStepMs(
      makeLoop(name, dataset, { kind: 'adversarial', attack, rho: 1, clean: true }),
      3,
    );
    console.log(
      `${name} adversarial train step (PGD-${attackSteps}), batch 64: ${adversarial.toFixed(0)} ms (${(adversarial / ours).toFixed(1)}x the plain step)`,
    );
  }
  for (const batch of [64, 256, 1024]) {
    const rate = await predictRate(loop.model, dataset.imageShape, batch);
    console.log(`${name} predict, batch ${batch}: ${rate.toFixed(0)} images/s`);
  }
}

if (only !== 'record') {
  // Slices of an MNIST CNN trained for 300 steps (about 96% test accuracy).
  const trained = makeLoop('cnn', mnist);
  for (let i = 0; i < 300; i++) await trained.runStep();
  console.log('');
  await benchSlices(classifierOf(trained.model), mnist);
}
console.log('');
await benchRecording(() => makeLoop('cnn', mnist), mnist);
