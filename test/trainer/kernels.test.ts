import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { createRng } from '../../trainer/rng.js';

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 8, 8, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [3, 9, 7, 2], filter: [3, 3, 2, 5], stride: 1, pad: 'valid' },
  { name: '3x3 stride 2 same, even input', x: [2, 8, 8, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { name: '3x3 stride 2 same, odd input', x: [2, 9, 7, 3], filter: [3, 3, 3, 2], stride: 2, pad: 'same' },
  { name: '3x3 stride 2 valid, unused last row', x: [2, 8, 10, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { name: '1x1 stride 1', x: [4, 6, 6, 5], filter: [1, 1, 5, 7], stride: 1, pad: 'same' },
  { name: '1x1 stride 2 (projection shortcut)', x: [4, 8, 8, 16], filter: [1, 1, 16, 32], stride: 2, pad: 'valid' },
  { name: '5x3 non-square stride 2 same', x: [1, 11, 12, 2], filter: [5, 3, 2, 3], stride: 2, pad: 'same' },
  {
    name: '1x1 stride 2 odd input (trailing zeros cut)',
    x: [2, 7, 7, 3],
    filter: [1, 1, 3, 4],
    stride: 2,
    pad: 'valid',
  },
  { name: '3x3 stride 2 valid, odd input', x: [2, 9, 9, 2], filter: [3, 3, 2, 3], stride: 2, pad: 'valid' },
  { name: 'MNIST CNN first layer', x: [16, 28, 28, 1], filter: [3, 3, 1, 32], stride: 1, pad: 'valid' },
];

function randomArray(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.next() * 2 - 1);
}

type Wrt = 'filter' | 'input';

/** d/dW or d/dx of Σ r ⊙ conv2d(x, W): the gradients the training loop asks for. */
function gradient(c: Case, wrt: Wrt, backend: string): Float32Array {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(
      randomArray(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const w = tf.tensor4d(
      randomArray(
        c.filter.reduce((a, b) => a * b),
        2,
      ),
      c.filter,
    );
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const r = tf.tensor(randomArray(y.size, 3), y.shape);
    const grad =
      wrt === 'filter'
        ? tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.stride, c.pad), r)))(w)
        : tf.grad((v) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, w, c.stride, c.pad), r)))(x);
    expect(grad.shape).toEqual(wrt === 'filter' ? c.filter : c.x);
    return grad.dataSync() as Float32Array;
  });
}

const table = cases.flatMap((c) => (['filter', 'input'] as const).map((wrt) => ({ ...c, wrt })));

describe('wasm Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  test.each(table)('gradient wrt $wrt matches the cpu backend: $name', (c) => {
    const expected = gradient(c, c.wrt, 'cpu');
    const actual = gradient(c, c.wrt, 'wasm');
    let maxError = 0;
    let maxMagnitude = 0;
    for (let i = 0; i < expected.length; i++) {
      maxError = Math.max(maxError, Math.abs(actual[i]! - expected[i]!));
      maxMagnitude = Math.max(maxMagnitude, Math.abs(expected[i]!));
    }
    expect(maxMagnitude).toBeGreaterThan(0.1);
    expect(maxError).toBeLessThan(1e-4 * Math.max(1, maxMagnitude));
  });

  test('leaves no tensors behind', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    gradient(cases[2]!, 'filter', 'wasm');
    gradient(cases[4]!, 'input', 'wasm');
    expect(tf.memory().numTensors).toBe(before);
  });
});
