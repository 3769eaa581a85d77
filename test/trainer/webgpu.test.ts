import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRng } from '../../core/rng.js';
import { evaluateFrame, SliceEvaluator } from '../../recorder/evaluate.js';
import { sliceGeometry } from '../../slices/geometry.js';
import { initBackend } from '../../trainer/backend.js';
import { DIGIT_CLASSES, imageAt, imageSize, type Dataset } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { conv2dBackpropFilterViaMatMul } from '../../trainer/kernels/webgpu/conv2d-backprop-filter.js';
import { registerWebgpuKernels } from '../../trainer/kernels/webgpu/register.js';
import { buildModel } from '../../trainer/models/build.js';
import { classifierOf } from '../../trainer/models/classifier.js';
import { parseModelSpec } from '../../trainer/models/model-spec.js';
import { TrainLoop } from '../../trainer/train-loop.js';
import { probeWebgpu } from '../../trainer/webgpu.js';
import { WEBGPU_SOFTWARE_VARIABLE, webgpuProblem } from '../../trainer/webgpu-diagnosis.js';
import { trainOptions } from '../fixtures/mnist-cnn.js';

/**
 * The webgpu backend against wasm and cpu on whatever adapter Dawn finds: in CI, Mesa 25's lavapipe
 * (software Vulkan, about 30 times slower than wasm), so every case is tiny. Without any adapter
 * the suite is skipped with the reason printed; it never fails for want of a GPU.
 */
const facts = await probeWebgpu();
const skipReason = webgpuProblem({ ...facts, softwareAllowed: true })?.reason;
if (skipReason !== undefined) console.warn(`webgpu tests skipped: ${skipReason}`);

function randomArray(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.next() * 2 - 1);
}

/** max |a − b| and max |a|, for errors relative to the values' scale. */
function compare(expected: ArrayLike<number>, actual: ArrayLike<number>): { error: number; scale: number } {
  expect(actual.length).toBe(expected.length);
  let error = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return { error, scale };
}

let mnist: Dataset;
const saved = process.env[WEBGPU_SOFTWARE_VARIABLE];

describe.skipIf(skipReason !== undefined)('the webgpu backend', () => {
  beforeAll(async () => {
    mnist = loadDataset('mnist');
    await initBackend('wasm');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env[WEBGPU_SOFTWARE_VARIABLE];
    else process.env[WEBGPU_SOFTWARE_VARIABLE] = saved;
    await initBackend('wasm');
  });

  test('is chosen only for a hardware adapter, unless software is allowed, and records its adapter', async () => {
    delete process.env[WEBGPU_SOFTWARE_VARIABLE];
    const software = facts.dawn.kind === 'adapter' && facts.dawn.adapter.software;
    if (software) {
      const auto = await initBackend(undefined, 1);
      expect(auto.kind).toBe('wasm');
      expect(auto.warnings).toEqual([]);
      await expect(initBackend('webgpu')).rejects.toThrow(
        /^backend webgpu is not available: Dawn found only a software adapter, .+; .*SLICEWATCH_WEBGPU_SOFTWARE=1/,
      );
    }
    process.env[WEBGPU_SOFTWARE_VARIABLE] = '1';
    const info = await initBackend('webgpu');
    expect(info.kind).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter?.software).toBe(software);
    expect(info.adapter?.device).not.toBe('');
    expect(info.detail).toContain(info.adapter!.device);
    await initBackend('wasm');
  });

  test('a synchronous read of a tensor computed on webgpu says to read it asynchronously', async () => {
    process.env[WEBGPU_SOFTWARE_VARIABLE] = '1';
    await initBackend('webgpu');
    // Large enough not to be handed to the CPU (WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD, 128).
    const t = tf.tidy(() => tf.add(tf.range(0, 1000), 1));
    expect(() => t.dataSync()).toThrow(
      'the webgpu backend cannot read a tensor synchronously in Node (dataSync, arraySync); read it with await tensor.data()',
    );
    expect(Array.from((await t.data()).slice(0, 3))).toEqual([1, 2, 3]);
    t.dispose();
    await initBackend('wasm');
  });

  /**
   * One training step of `spec` at batch 4 from the same weights on wasm, cpu, then webgpu (a
   * tensor made on webgpu cannot be read synchronously, so it goes last): the loss, the logits
   * before the step, and every weight's change (the SGD step: −lr × gradient, and the batch-norm
   * moving statistics' update).
   */
  async function stepOn(
    backend: 'wasm' | 'cpu' | 'webgpu',
    spec: string,
    dataset: Dataset,
    weights: Float32Array[],
  ): Promise<{ loss: number; logits: Float32Array; deltas: Float32Array[] }> {
    tf.setBackend(backend);
    const model = buildModel(parseModelSpec(spec), dataset.imageShape, 10, 1);
    if (weights.length > 0) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape)));
    const before = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
    const x = tf.tensor4d(randomArray(4 * imageSize(dataset), 7).map(Math.abs), [4, ...dataset.imageShape]);
    const logitsTensor = classifierOf(model).logits(x);
    const logits = (await logitsTensor.data()) as Float32Array;
    tf.dispose([x, logitsTensor]);
    const loop = new TrainLoop(model, dataset, trainOptions({ batchSize: dataset === mnist ? 4 : 8 }));
    const { loss } = await loop.runStep();
    const after = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
    loop.optimizer.dispose();
    model.dispose();
    if (weights.length === 0) weights.push(...before);
    return { loss, logits, deltas: after.map((a, i) => a.map((v, j) => v - before[i]![j]!)) };
  }

  /** Eight random 12 × 12 × 3 images: a WRN small enough for the cpu backend and lavapipe. */
  const tinyColour = (): Dataset => {
    const rng = createRng(5);
    const split = {
      images: Uint8Array.from({ length: 8 * 12 * 12 * 3 }, () => Math.floor(rng.next() * 256)),
      labels: Uint8Array.from({ length: 8 }, (_, i) => i),
      count: 8,
    };
    return { spec: 'random', imageShape: [12, 12, 3], classNames: DIGIT_CLASSES, train: split, test: split };
  };

  test.each([
    { spec: 'cnn', what: 'the MNIST CNN at batch 4', data: () => mnist, wasmTolerance: 1e-3 },
    { spec: 'wrn-10-1', what: 'a WRN-10-1 (batch norm) at batch 8', data: tinyColour, wasmTolerance: 1e-2 },
  ])(
    '$what: loss, logits, gradients and batch-norm updates equal wasm and cpu',
    async ({ spec, data, wasmTolerance }) => {
      process.env[WEBGPU_SOFTWARE_VARIABLE] = '1';
      await initBackend('webgpu');
      const dataset = data();
      const weights: Float32Array[] = [];
      const wasm = await stepOn('wasm', spec, dataset, weights);
      // The cpu backend is slow: it checks the batch-norm network only.
      const cpu = spec === 'cnn' ? undefined : await stepOn('cpu', spec, dataset, weights);
      const webgpu = await stepOn('webgpu', spec, dataset, weights);
      const references = [
        { reference: wasm, tolerance: wasmTolerance },
        ...(cpu ? [{ reference: cpu, tolerance: 1e-4 }] : []),
      ];
      for (const { reference } of references) {
        expect(Math.abs(webgpu.loss - reference.loss)).toBeLessThan(1e-5 * Math.max(1, reference.loss));
        const logits = compare(reference.logits, webgpu.logits);
        expect(logits.error).toBeLessThan(1e-5 * Math.max(1, logits.scale));
      }
      // Each weight's change agrees to a fraction of its largest value: 1e-4 against cpu. wasm
      // itself differs from cpu by up to 7e-3 on a WRN-10-1 at batch 4 on MNIST (batch norm over
      // few images amplifies the summation order), so against wasm on the WRN: 1e-2.
      for (const { reference, tolerance } of references) {
        let changed = 0;
        reference.deltas.forEach((expected, i) => {
          const { error, scale } = compare(expected, webgpu.deltas[i]!);
          if (scale > 0) changed++;
          expect(error).toBeLessThan(tolerance * scale + 1e-7);
        });
        expect(changed).toBe(reference.deltas.length);
      }
      await initBackend('wasm');
    },
    60_000,
  );

  test('a slice frame on webgpu equals the wasm frame, off a thin float-noise band', async () => {
    process.env[WEBGPU_SOFTWARE_VARIABLE] = '1';
    await initBackend('webgpu');
    tf.setBackend('wasm');
    const loop = new TrainLoop(buildModel(parseModelSpec('cnn'), mnist.imageShape, 10, 3), mnist, trainOptions());
    for (let i = 0; i < 15; i++) await loop.runStep();
    const weights = loop.model.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
    loop.optimizer.dispose();
    const [a, b, c] = [0, 1, 2].map((i) => imageAt(mnist, mnist.test, i)) as [Float32Array, Float32Array, Float32Array];
    const frameOn = async (backend: string) => {
      tf.setBackend(backend);
      const model = buildModel(parseModelSpec('cnn'), mnist.imageShape, 10, 3);
      model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
      const evaluator = new SliceEvaluator(sliceGeometry(a, b, c, { resolution: 24 }), mnist.imageShape);
      const frame = await evaluateFrame(
        evaluator,
        classifierOf(model),
        { a, b, c },
        { classes: 10, profileSamples: 8 },
      );
      evaluator.dispose();
      model.dispose();
      return frame;
    };
    const wasm = await frameOn('wasm');
    loop.model.dispose();
    const webgpu = await frameOn('webgpu');
    const feasible = wasm.labels.filter((l) => l !== 255).length;
    expect(new Set(wasm.labels).size).toBeGreaterThan(2);
    const differ = wasm.labels.filter((l, i) => l !== webgpu.labels[i]).length;
    // Labels may differ only where two classes' probabilities tie to float precision.
    expect(differ).toBeLessThanOrEqual(Math.ceil(0.01 * feasible));
    expect(compare(wasm.pointProbabilities, webgpu.pointProbabilities).error).toBeLessThan(1e-5);
    expect(compare(wasm.profiles, webgpu.profiles).error).toBeLessThan(1e-5);
    expect(compare(wasm.confidence, webgpu.confidence).error).toBeLessThanOrEqual(1);
    await initBackend('wasm');
  }, 60_000);

  describe('slicewatch webgpu kernels equal the cpu backend', () => {
    type Shape = [number, number, number, number];
    const cases: { name: string; x: Shape; filter: Shape; stride: 1 | 2; pad: 'same' | 'valid' }[] = [
      { name: '3x3 stride 1 same', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
      { name: '3x3 stride 2 same, odd input', x: [2, 9, 7, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' },
      { name: '3x3 stride 2 valid, unused last row', x: [2, 8, 10, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
      { name: '1x1 stride 2 (projection shortcut)', x: [4, 8, 8, 16], filter: [1, 1, 16, 32], stride: 2, pad: 'valid' },
      { name: '5x3 stride 2 same', x: [1, 11, 12, 2], filter: [5, 3, 2, 3], stride: 2, pad: 'same' },
      { name: 'MNIST CNN first layer', x: [8, 28, 28, 1], filter: [3, 3, 1, 32], stride: 1, pad: 'valid' },
    ];

    /** d/dW of Σ r ⊙ conv2d(x, W), read asynchronously (webgpu cannot read synchronously in Node). */
    async function filterGradient(c: (typeof cases)[number], backend: string): Promise<Float32Array> {
      tf.setBackend(backend);
      const size = (shape: Shape) => shape.reduce((p, q) => p * q, 1);
      const x = tf.tensor4d(randomArray(size(c.x), 1), c.x);
      const w = tf.tensor4d(randomArray(size(c.filter), 2), c.filter);
      const y = tf.conv2d(x, w, c.stride, c.pad);
      const r = tf.tensor(randomArray(y.size, 3), y.shape);
      const g = tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), r)))(w);
      expect(g.shape).toEqual(c.filter);
      const values = (await g.data()) as Float32Array;
      tf.dispose([x, w, y, r, g]);
      return values;
    }

    beforeAll(async () => {
      process.env[WEBGPU_SOFTWARE_VARIABLE] = '1';
      await initBackend('webgpu');
    });

    test.each(cases)('Conv2DBackpropFilter: $name', async (c) => {
      const expected = await filterGradient(c, 'cpu');
      const { error, scale } = compare(expected, await filterGradient(c, 'webgpu'));
      expect(scale).toBeGreaterThan(0.1);
      expect(error).toBeLessThan(1e-4 * Math.max(1, scale));
    });

    test('Conv2DBackpropFilter cut into batch chunks sums them, leaving no tensors behind', async () => {
      const c = cases[1]!;
      const expected = await filterGradient(c, 'cpu');
      tf.setBackend('webgpu');
      const before = tf.backend().numDataIds();
      // One image's patches (5 × 4 outputs × 3 × 3 × 3) per chunk: two chunks.
      tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu');
      tf.registerKernel(conv2dBackpropFilterViaMatMul('webgpu', 5 * 4 * 27));
      try {
        const { error } = compare(expected, await filterGradient(c, 'webgpu'));
        expect(error).toBeLessThan(1e-4);
        expect(tf.backend().numDataIds()).toBe(before);
      } finally {
        tf.unregisterKernel(tf.Conv2DBackpropFilter, 'webgpu');
        registerWebgpuKernels();
      }
    });
  });
});

const hardware = facts.dawn.kind === 'adapter' && !facts.dawn.adapter.software;
test.skipIf(hardware)(
  'slicewatch train --backend webgpu without a hardware adapter fails with one line saying why',
  () => {
    const env = { ...process.env };
    delete env[WEBGPU_SOFTWARE_VARIABLE];
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/bin.ts', 'train', '--backend', 'webgpu'], {
      encoding: 'utf8',
      env,
    });
    expect(result.status).toBe(1);
    // Dawn itself may print warnings about a software adapter first; ours is the last line.
    const ours = result.stderr.trimEnd().split('\n').at(-1)!;
    const problem = webgpuProblem({ ...facts, softwareAllowed: false })!;
    expect(ours).toBe(`slicewatch: backend webgpu is not available: ${problem.reason}; ${problem.fix}`);
  },
  60_000,
);

test.skipIf(skipReason !== undefined)(
  'slicewatch train --backend webgpu --record trains and records every step (software adapter allowed)',
  async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SqliteStore } = await import('../../store/sqlite-store.js');
    const dir = mkdtempSync(join(tmpdir(), 'slicewatch-webgpu-'));
    const store = join(dir, 'store.db');
    const args = ['train', '--backend', 'webgpu', '--record', '--record-resolution', '16', '--steps', '2'];
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/bin.ts', ...args, '--eval-every', '0', '--out', join(dir, 'run'), '--store', store],
      { encoding: 'utf8', env: { ...process.env, [WEBGPU_SOFTWARE_VARIABLE]: '1' } },
    );
    expect(result.status, result.stderr).toBe(0);
    const reader = SqliteStore.openExisting(store, { readonly: true });
    const [run] = reader.runs();
    expect(run).toMatchObject({ status: 'completed', step: 2 });
    expect(run!.backend.kind).toBe('webgpu');
    for (const slice of reader.sliceSet(run!.setId!)!.slices) {
      expect(reader.frameSteps(run!.id, slice.id)).toEqual([1, 2]);
    }
    reader.close();
  },
  240_000,
);
