/**
 * `npm run bench`: speed figures for BENCHMARKS.md, on the backend chosen as in training (wasm
 * here). Prints medians; ratios compare figures measured in this same run (the one-thread figures
 * in a child process of it). `--profile` adds the top kernels of one training step of each model
 * and of a slice evaluation. `--server` (also part of the full run) measures live-push latency from a
 * store commit to socket.io clients. `--backend webgpu` runs the GPU figures instead (bench/webgpu.ts),
 * or with `--record` the recording figures on the GPU.
 * `--dashboard` (on its own: it needs Debian's chromium) plays, scrubs and follows the dashboard in a
 * headless browser (bench/dashboard.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { backendFromEnv, initBackend } from '../trainer/backend.js';
import { toBackendKind } from '../trainer/backend-info.js';
import type { Dataset } from '../trainer/datasets/dataset.js';
import { loadDataset } from '../trainer/datasets/load.js';
import { useStockWasmKernels } from '../trainer/kernels/register.js';
import { modelFromTopology } from '../trainer/checkpoint.js';
import { SlicewatchBatchNormalization } from '../trainer/models/batch-norm.js';
import { buildModel } from '../trainer/models/build.js';
import { parseModelSpec } from '../trainer/models/model-spec.js';
import { classifierOf } from '../trainer/models/classifier.js';
import { RUN_DEFAULTS } from '../trainer/run-config.js';
import { benchSlices } from './slices.js';
import { benchRecording } from './record.js';
import { benchServer } from './server.js';
import { TrainLoop, type Objective } from '../trainer/train-loop.js';
import { MADRY_CIFAR10_TRAIN, MADRY_MNIST } from '../trainer/attacks/attack.js';
import { median, randomCifarLike, topKernels } from './measure.js';
import { benchWebgpu } from './webgpu.js';

/**
 * The same model built from tfjs-layers' own layers (BatchNormalization instead of ours) and the
 * same weights: TensorFlow.js as installed, for the stock figures.
 */
async function withStockLayers(model: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = JSON.stringify(model.toJSON(null, false)).replaceAll(
    `"class_name":"${SlicewatchBatchNormalization.className}"`,
    '"class_name":"BatchNormalization"',
  );
  const stock = await modelFromTopology(JSON.parse(topology) as object);
  stock.setWeights(model.getWeights());
  return stock;
}

function makeLoop(
  model: string,
  dataset: Dataset,
  objective: Objective = { kind: 'plain' },
  network = buildModel(parseModelSpec(model), dataset.imageShape, 10, 1),
  lr = 0.01,
): TrainLoop {
  return new TrainLoop(network, dataset, {
    batchSize: 64,
    lr,
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

/** Runs `run` with the stock wasm kernels in place of ours (and, through withStockLayers, the stock layers). */
async function withStockKernels<T>(run: () => Promise<T>): Promise<T> {
  useStockWasmKernels(true);
  try {
    return await run();
  } finally {
    useStockWasmKernels(false);
  }
}

/** PyTorch 1.13 CPU, 2 threads, on this kind of machine (issue 6; ../shared/peers/torch_cnn_bench.py). */
const PYTORCH = { cnn: { stepMs: 24 }, 'wrn-10-1': { stepMs: 23, predictRate: 3300 } } as const;
const MODELS = ['cnn', 'wrn-10-1'] as const;
type ModelName = (typeof MODELS)[number];

/** The figures measured at every thread count: training steps ours and stock (kernels and layers), prediction. */
interface CoreFigures {
  threads: number;
  models: Record<ModelName, { ours: number; stock?: number; predict: Record<number, number> }>;
}

const datasets: Record<ModelName, () => Dataset> = {
  cnn: () => loadDataset('mnist'),
  'wrn-10-1': () => randomCifarLike(1024),
};
const TRAIN_STEPS: Record<ModelName, number> = { cnn: 15, 'wrn-10-1': 7 };
const PREDICT_BATCHES = [64, 256, 1024];

async function coreFigures(threads: number, wasm: boolean): Promise<CoreFigures> {
  const models = {} as CoreFigures['models'];
  for (const name of MODELS) {
    const dataset = datasets[name]();
    const loop = makeLoop(name, dataset);
    const ours = await trainStepMs(loop, TRAIN_STEPS[name]);
    const stock = wasm
      ? await withStockKernels(async () =>
          trainStepMs(
            makeLoop(name, dataset, { kind: 'plain' }, await withStockLayers(makeLoop(name, dataset).model)),
            TRAIN_STEPS[name],
          ),
        )
      : undefined;
    const predict: Record<number, number> = {};
    for (const batch of PREDICT_BATCHES) predict[batch] = await predictRate(loop.model, dataset.imageShape, batch);
    models[name] = { ours, stock, predict };
  }
  return { threads, models };
}

/** The same figures from a child process with one wasm thread. */
function oneThreadFigures(): CoreFigures {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--core-json'], {
    env: { ...process.env, SLICEWATCH_THREADS: '1', SLICEWATCH_BACKEND: 'wasm' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`the one-thread benchmark failed (exit ${child.status})`);
  return JSON.parse(child.stdout) as CoreFigures;
}

const ms = (v: number) => `${v.toFixed(0)} ms`;
const times = (slow: number, fast: number) => `${(slow / fast).toFixed(2)}x`;

function printCore(all: CoreFigures, one: CoreFigures | undefined): void {
  for (const name of MODELS) {
    const m = all.models[name];
    const o = one?.models[name];
    console.log(`${name} train step, batch 64 (median of ${TRAIN_STEPS[name]}):`);
    console.log(
      `  ours, ${all.threads} thread(s): ${ms(m.ours)}; stock, ${all.threads} thread(s): ${m.stock === undefined ? 'n/a' : ms(m.stock)}`,
    );
    if (o) console.log(`  ours, 1 thread: ${ms(o.ours)}; stock, 1 thread: ${ms(o.stock!)}`);
    const stockOne = o?.stock ?? m.stock;
    if (stockOne !== undefined)
      console.log(
        `  ours (${all.threads} threads) vs stock (1 thread, the TF.js default under Node): ${times(stockOne, m.ours)} faster; ` +
          `vs stock at ${all.threads} threads: ${m.stock === undefined ? 'n/a' : times(m.stock, m.ours)}` +
          (o ? `; ours ${all.threads} threads vs ours 1 thread: ${times(o.ours, m.ours)}` : ''),
      );
    console.log(
      `  PyTorch reference ${PYTORCH[name].stepMs} ms: ours takes ${times(m.ours, PYTORCH[name].stepMs)} as long`,
    );
    for (const batch of PREDICT_BATCHES)
      console.log(
        `${name} predict, batch ${batch}: ${all.models[name].predict[batch]!.toFixed(0)} images/s with ${all.threads} thread(s)` +
          (o
            ? `, ${o.predict[batch]!.toFixed(0)} with 1 (${times(all.models[name].predict[batch]!, o.predict[batch]!)})`
            : ''),
      );
  }
  console.log(`wrn-10-1 PyTorch prediction reference: ${PYTORCH['wrn-10-1'].predictRate} images/s`);
}

const profile = process.argv.includes('--profile');
const only = process.argv.includes('--slices')
  ? 'slices'
  : process.argv.includes('--record')
    ? 'record'
    : process.argv.includes('--server')
      ? 'server'
      : process.argv.includes('--dashboard')
        ? 'dashboard'
        : 'all';
// `--backend KIND` (as `npm run bench -- --backend webgpu`) or SLICEWATCH_BACKEND.
const backendFlag = process.argv.indexOf('--backend');
const backend = await initBackend(
  backendFlag >= 0 ? toBackendKind(process.argv[backendFlag + 1] ?? '') : backendFromEnv(),
);
const threads = backend.threads ?? 1;
if (process.argv.includes('--core-json')) {
  process.stdout.write(JSON.stringify(await coreFigures(threads, backend.kind === 'wasm')));
  process.exit(0);
}
console.log(`# slicewatch bench, ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`backend: ${backend.kind} (${backend.detail})\n`);

const mnist = loadDataset('mnist');
if (backend.kind === 'webgpu' && only !== 'record') {
  await benchWebgpu(backend, mnist, profile);
  // Dawn's instance may keep Node alive.
  process.exit(0);
}
if (only === 'all') {
  const all = await coreFigures(threads, backend.kind === 'wasm');
  printCore(all, backend.kind === 'wasm' && threads > 1 ? oneThreadFigures() : undefined);
  for (const name of MODELS) {
    const dataset = datasets[name]();
    const plain = all.models[name].ours;
    if (profile) {
      const loop = makeLoop(name, dataset);
      await loop.runStep();
      console.log(`${name}: top kernels of one training step:\n${await topKernels(() => loop.runStep())}`);
    }
    const madry = name === 'cnn' ? MADRY_MNIST : MADRY_CIFAR10_TRAIN;
    for (const attackSteps of [7, 40]) {
      const attack = { ...madry, steps: attackSteps };
      const adversarial = await trainStepMs(
        makeLoop(name, dataset, { kind: 'adversarial', attack, rho: 1, clean: true }),
        3,
      );
      console.log(
        `${name} adversarial train step (PGD-${attackSteps}), batch 64: ${adversarial.toFixed(0)} ms (${(adversarial / plain).toFixed(1)}x the plain step)`,
      );
    }
  }
}

if (only === 'slices' || only === 'all') {
  // Slices of an MNIST CNN trained for 300 steps (about 96% test accuracy).
  const trained = makeLoop('cnn', mnist);
  for (let i = 0; i < 300; i++) await trained.runStep();
  console.log('');
  await benchSlices(classifierOf(trained.model), mnist, profile);
}
if (only === 'record' || only === 'all') {
  console.log('');
  // Recording cost depends on how far a step moves the regions: train as `slicewatch train` does (lr 0.05).
  await benchRecording(() => makeLoop('cnn', mnist, { kind: 'plain' }, undefined, RUN_DEFAULTS.lr), mnist, backend);
}
if (only === 'server' || only === 'all') {
  console.log('');
  await benchServer();
}
// Imported only here: it drives chromium through playwright-core, a dev dependency (not in the GPU bundle).
if (only === 'dashboard') await (await import('./dashboard.js')).benchDashboard();
// Dawn's instance may keep Node alive (`--backend webgpu --record`).
if (backend.kind === 'webgpu') process.exit(0);
