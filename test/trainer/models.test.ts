import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
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
