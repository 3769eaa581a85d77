import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../trainer/checkpoint.js';
import { SlicewatchBatchNormalization } from '../../trainer/models/batch-norm.js';
import { buildModel, trainableParameterCount } from '../../trainer/models/build.js';
import { formatModelSpec, parseModelSpec } from '../../trainer/models/model-spec.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('model specs', () => {
  test.each(['cnn', 'wrn-28-10', 'wrn-16-2-dropout0.3'])('%s round-trips', (text) => {
    expect(formatModelSpec(parseModelSpec(text))).toBe(text);
  });
  test('rejects a WRN depth that is not 6n + 4', () => {
    expect(() => parseModelSpec('wrn-12-2')).toThrow(/WRN depth must be 6n \+ 4/);
    expect(() => parseModelSpec('resnet50')).toThrow(
      'invalid model: resnet50; expected cnn or wrn-DEPTH-WIDTH (e.g. wrn-16-2)',
    );
  });
});

describe('parameter counts', () => {
  test('WRN-28-10 has the reference implementation’s 36,479,194 trainable parameters', () => {
    const model = buildModel(parseModelSpec('wrn-28-10'), [32, 32, 3], 10, 1);
    expect(trainableParameterCount(model)).toBe(36_479_194);
    model.dispose();
  });

  test.each([
    // conv 3·3·16; groups of one block each; projections 16→16 (none), 16→32, 32→64; BN γβ; dense 64·10+10.
    { spec: 'wrn-10-1', expected: 77_850 },
    { spec: 'wrn-16-2', expected: 691_674 },
    // conv 3·3·1·32+32, conv 3·3·32·64+64, dense 1600·128+128, dense 128·10+10.
    { spec: 'cnn', expected: 320 + 18_496 + 204_928 + 1_290 },
  ])('$spec has $expected', ({ spec, expected }) => {
    const shape: [number, number, number] = spec === 'cnn' ? [28, 28, 1] : [32, 32, 3];
    const model = buildModel(parseModelSpec(spec), shape, 10, 1);
    expect(trainableParameterCount(model)).toBe(expected);
    model.dispose();
  });
});

test('WRN-10-1 outputs logits of shape [n, 10] and halves the resolution twice', () => {
  const model = buildModel(parseModelSpec('wrn-10-1'), [32, 32, 3], 10, 1);
  const shapes = model.layers
    .filter((l) => l.getClassName() === 'Conv2D')
    .map((l) => (l.outputShape as number[]).slice(1));
  expect(shapes[0]).toEqual([32, 32, 16]);
  expect(shapes.at(-1)).toEqual([8, 8, 64]);
  const y = model.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor;
  expect(y.shape).toEqual([2, 10]);
  // Logits, not probabilities: no softmax at the end.
  expect(model.layers.at(-1)!.getConfig()['activation']).toBe('linear');
  tf.dispose([y]);
  model.dispose();
});

test('the same seed builds the same weights', () => {
  const a = buildModel(parseModelSpec('cnn'), [28, 28, 1], 10, 7);
  const b = buildModel(parseModelSpec('cnn'), [28, 28, 1], 10, 7);
  const c = buildModel(parseModelSpec('cnn'), [28, 28, 1], 10, 8);
  const first = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync().slice(0, 20));
  expect(first(a)).toEqual(first(b));
  expect(first(a)).not.toEqual(first(c));
});

describe('SlicewatchBatchNormalization', () => {
  /** conv → batch norm, with random γ, β and moving statistics, ours or tfjs-layers' own. */
  function convBn(ours: boolean): tf.LayersModel {
    const input = tf.input({ shape: [6, 5, 4] });
    const conv = tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }),
    });
    const args = {
      momentum: 0.9,
      epsilon: 1e-5,
      gammaInitializer: tf.initializers.randomNormal({ seed: 4 }),
      betaInitializer: tf.initializers.randomNormal({ seed: 5 }),
      movingMeanInitializer: tf.initializers.randomNormal({ seed: 6 }),
      movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 7 }),
    };
    const bn = ours ? new SlicewatchBatchNormalization(args) : tf.layers.batchNormalization(args);
    return tf.model({ inputs: input, outputs: bn.apply(conv.apply(input)) as tf.SymbolicTensor });
  }

  test('trains like the tfjs-layers layer: outputs, gradients, moving statistics; infers like it', () => {
    const x = tf.randomNormal([3, 6, 5, 4], 0, 1, 'float32', 8);
    const r = tf.randomNormal([3, 6, 5, 8], 0, 1, 'float32', 9);
    const run = (ours: boolean) => {
      const model = convBn(ours);
      const loss = (input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, r));
      const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar);
      const dx = tf.grad(loss)(x);
      const values = [
        model.apply(x, { training: true }) as tf.Tensor,
        dx,
        ...model.trainableWeights.map((w) => grads[w.originalName]!),
        ...model.getWeights(), // moving statistics after three training passes
        model.apply(x, { training: false }) as tf.Tensor,
      ];
      return values.map((t) => t.dataSync() as Float32Array);
    };
    const [stock, ours] = [run(false), run(true)];
    expect(ours.length).toBe(11);
    stock.forEach((expected, i) => {
      const scale = Math.max(1e-3, ...Array.from(expected, Math.abs));
      const error = Math.max(...Array.from(expected, (v, j) => Math.abs(v - ours[i]![j]!)));
      expect(error, `value ${i}`).toBeLessThan(1e-4 * scale);
    });
  });

  test('saves under its own class name and loads back to the same predictions', async () => {
    const model = convBn(true);
    const json = model.toJSON(null, false) as object;
    expect(JSON.stringify(json)).toContain('"class_name":"SlicewatchBatchNormalization"');
    const loaded = await tf.models.modelFromJSON({ modelTopology: json } as tf.io.ModelJSON);
    loaded.setWeights(model.getWeights());
    const x = tf.randomNormal([2, 6, 5, 4], 0, 1, 'float32', 10);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
  });

  test('a WRN-10-1 checkpoint (after a training pass) loads back with the same logits and statistics', async () => {
    const model = buildModel(parseModelSpec('wrn-10-1'), [32, 32, 3], 10, 1);
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 11);
    model.apply(x, { training: true }); // moves the batch-norm statistics off their initial values
    const folder = await saveCheckpoint(mkdtempSync(join(tmpdir(), 'slicewatch-wrn-')), model, [], 1);
    const loaded = (await loadCheckpoint(folder)).model;
    expect(loaded.layers.filter((l) => l instanceof SlicewatchBatchNormalization).length).toBe(7);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
  });
});
