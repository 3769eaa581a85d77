import * as tf from '@tensorflow/tfjs';
import { evaluateFrame, SliceEvaluator } from '../recorder/evaluate.js';
import { sliceGeometry } from '../slices/geometry.js';
import type { BackendInfo } from '../trainer/backend-info.js';
import { imageAt, type Dataset } from '../trainer/datasets/dataset.js';
import { useStockWebgpuKernels } from '../trainer/kernels/webgpu/register.js';
import { buildModel } from '../trainer/models/build.js';
import { classifierOf } from '../trainer/models/classifier.js';
import { parseModelSpec } from '../trainer/models/model-spec.js';
import { TrainLoop } from '../trainer/train-loop.js';
import { median, medianMs, randomCifarLike, topKernels } from './measure.js';

/**
 * `npm run bench -- --backend webgpu`: the GPU figures of issue 15 on Dawn's adapter. Training
 * steps with slicewatch's webgpu kernels and with the stock ones, prediction rates, and a full
 * slice frame, next to the figures measured on an NVIDIA H200 on 2026-11-26 (stock TF.js webgpu
 * and PyTorch CUDA). On a software adapter (lavapipe) it runs at small sizes as a smoke test:
 * those timings say nothing about a GPU.
 */

/** Measured on an NVIDIA H200, driver 580, 2026-11-26 (shared/gpu/README.md): stock webgpu and PyTorch CUDA. */
const H200 = {
  cnn: { stockMs: 24.9, torchMs: 1.5, predictRate: 618_700, torchPredictRate: 1_549_902 },
  'wrn-16-2': { stockMs: 410, torchMs: 6.9, predictRate: 58_120, torchPredictRate: 126_360 },
  frame: { stockMs: 30.5, torchMs: 10.6 },
} as const;

interface Sizes {
  batch: Record<'cnn' | 'wrn-16-2', number>;
  predictBatch: Record<'cnn' | 'wrn-16-2', number>;
  steps: number;
  resolution: number;
}

const GPU_SIZES: Sizes = {
  batch: { cnn: 64, 'wrn-16-2': 128 },
  predictBatch: { cnn: 1024, 'wrn-16-2': 256 },
  steps: 10,
  resolution: 128,
};
const SOFTWARE_SIZES: Sizes = {
  batch: { cnn: 8, 'wrn-16-2': 4 },
  predictBatch: { cnn: 64, 'wrn-16-2': 8 },
  steps: 2,
  resolution: 24,
};

function loopFor(name: 'cnn' | 'wrn-16-2', dataset: Dataset, batchSize: number): TrainLoop {
  return new TrainLoop(buildModel(parseModelSpec(name), dataset.imageShape, 10, 1), dataset, {
    batchSize,
    lr: 0.01,
    schedule: { kind: 'constant' },
    sgd: { momentum: 0.9, nesterov: false, weightDecay: 5e-4 },
    augmentation: { kind: 'none' },
    seed: 1,
    objective: { kind: 'plain' },
  });
}

/** Median ms of a training step (each ends with the loss read back) after two warm-up steps. */
async function stepMs(loop: TrainLoop, steps: number): Promise<number> {
  await loop.runStep();
  await loop.runStep();
  return medianMs(() => loop.runStep(), steps);
}

/** Images per second of logits + argmax at `batch`, read back each batch. */
async function predictRate(loop: TrainLoop, batch: number, repeats: number): Promise<number> {
  const x = tf.randomUniform([batch, ...loop.dataset.imageShape]);
  const classifier = classifierOf(loop.model);
  const once = async () => {
    const y = tf.tidy(() => tf.argMax(classifier.logits(x as tf.Tensor4D), -1));
    await y.data();
    y.dispose();
  };
  await once();
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await once();
    rates.push(batch / ((performance.now() - t0) / 1000));
  }
  x.dispose();
  return median(rates);
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;

/** Runs the webgpu figures on the started webgpu backend; `profile` adds each step's top kernels. */
export async function benchWebgpu(backend: BackendInfo, mnist: Dataset, profile: boolean): Promise<void> {
  const adapter = backend.adapter;
  console.log(`adapter: ${adapter ? `${adapter.device} (${adapter.vendor}, ${adapter.driver})` : 'unknown'}`);
  const sizes = adapter?.software ? SOFTWARE_SIZES : GPU_SIZES;
  if (adapter?.software)
    console.log('software adapter: a smoke run at small sizes; these timings say nothing about a GPU\n');
  for (const name of ['cnn', 'wrn-16-2'] as const) {
    const dataset = name === 'cnn' ? mnist : randomCifarLike(4 * sizes.batch[name]);
    const batch = sizes.batch[name];
    const ours = await stepMs(loopFor(name, dataset, batch), sizes.steps);
    useStockWebgpuKernels(true);
    const stock = await stepMs(loopFor(name, dataset, batch), sizes.steps);
    useStockWebgpuKernels(false);
    const ref = H200[name];
    console.log(
      `${name} train step, batch ${batch}: ${ours.toFixed(1)} ms with our kernels, ${stock.toFixed(1)} ms stock (${ratio(stock, ours)} faster)` +
        `; H200 2026-11-26: stock ${ref.stockMs} ms, PyTorch CUDA ${ref.torchMs} ms`,
    );
    const loop = loopFor(name, dataset, batch);
    if (profile) {
      await loop.runStep();
      console.log(`  top kernels of one step:\n${await topKernels(() => loop.runStep())}`);
    }
    const predictBatch = sizes.predictBatch[name];
    const rate = await predictRate(loop, predictBatch, sizes.steps);
    console.log(
      `${name} predict, batch ${predictBatch}: ${rate.toFixed(0)} images/s; H200: ${ref.predictRate} webgpu, ${ref.torchPredictRate} PyTorch`,
    );
    loop.optimizer.dispose();
    loop.model.dispose();
  }
  const loop = loopFor('cnn', mnist, sizes.batch.cnn);
  for (let i = 0; i < 20; i++) await loop.runStep();
  const [a, b, c] = [0, 1, 2].map((i) => imageAt(mnist, mnist.test, i)) as [Float32Array, Float32Array, Float32Array];
  const evaluator = new SliceEvaluator(
    sliceGeometry(a, b, c, { resolution: sizes.resolution }),
    mnist.imageShape,
    4096,
  );
  const classifier = classifierOf(loop.model);
  const frame = () => evaluateFrame(evaluator, classifier, { a, b, c }, { classes: 10 });
  await frame();
  const frameMs = await medianMs(frame, sizes.steps);
  console.log(
    `cnn slice frame ${sizes.resolution}x${sizes.resolution} (evaluateFrame, batch 4096): ${frameMs.toFixed(1)} ms` +
      `; H200: ${H200.frame.stockMs} ms webgpu, ${H200.frame.torchMs} ms PyTorch`,
  );
  if (profile) console.log(`  top kernels of one frame:\n${await topKernels(frame)}`);
  evaluator.dispose();
  loop.model.dispose();
}
