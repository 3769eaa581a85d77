import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { initBackend } from '../../trainer/backend.js';
import { createRng } from '../../core/rng.js';
import { tileOnHeap } from '../../trainer/kernels/tile.js';

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
    const before = tf.backend().numDataIds();
    gradient(cases[2]!, 'filter', 'wasm');
    gradient(cases[4]!, 'input', 'wasm');
    expect(tf.backend().numDataIds()).toBe(before);
  });
});

const tileCases: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
  { shape: [1, 1, 1, 16], reps: [64, 32, 32, 1], dtype: 'float32' }, // the batch-norm gradient's
  { shape: [1, 1, 1, 5], reps: [3, 7, 2, 1], dtype: 'float32' },
  { shape: [2, 3], reps: [3, 2], dtype: 'float32' },
  { shape: [2, 1, 3], reps: [1, 4, 2], dtype: 'int32' },
  { shape: [3, 2, 2, 2], reps: [2, 1, 3, 1], dtype: 'float32' },
  { shape: [5], reps: [7], dtype: 'bool' },
  { shape: [4, 3], reps: [1, 1], dtype: 'int32' },
];

describe('wasm Tile', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  function tiled(c: (typeof tileCases)[number], backend: string): number[] {
    tf.setBackend(backend);
    return tf.tidy(() => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const values = Array.from(randomArray(size, 4), (v) => (c.dtype === 'float32' ? v : Math.round(v * 9)));
      const x = c.dtype === 'bool' ? tf.tensor(values, c.shape).greater(0) : tf.tensor(values, c.shape, c.dtype);
      const y = tf.tile(x, c.reps);
      expect(y.shape).toEqual(c.shape.map((n, d) => n * c.reps[d]!));
      return Array.from(y.dataSync());
    });
  }

  test.each(tileCases)('matches the cpu backend: $shape × $reps ($dtype)', (c) => {
    const [expected, actual] = [tiled(c, 'cpu'), tiled(c, 'wasm')];
    expect(actual.length).toBe(expected.length);
    expect(actual.filter((v, i) => v !== expected[i]).length).toBe(0);
  });

  test('the batch-norm gradient matches the cpu backend', () => {
    const grads = (backend: string): Float32Array[] => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(randomArray(4 * 6 * 5 * 8, 5), [4, 6, 5, 8]);
        const r = tf.tensor4d(randomArray(x.size, 6), x.shape);
        const [mean, variance] = [tf.tensor1d(randomArray(8, 7)), tf.tensor1d(randomArray(8, 8).map(Math.abs))];
        const [gamma, beta] = [tf.tensor1d(randomArray(8, 9)), tf.tensor1d(randomArray(8, 10))];
        const f = (...args: tf.Tensor[]) =>
          tf.sum(tf.mul(tf.batchNorm(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, 1e-3), r));
        return tf
          .grads(f)([x, mean, variance, beta, gamma])
          .map((g) => g.dataSync() as Float32Array);
      });
    };
    const [expected, actual] = [grads('cpu'), grads('wasm')];
    expected.forEach((e, i) => {
      const scale = Math.max(1, ...Array.from(e, Math.abs));
      const error = Math.max(...Array.from(e, (v, j) => Math.abs(v - actual[i]![j]!)));
      expect(error).toBeLessThan(1e-4 * scale);
    });
  });
});

describe('tileOnHeap', () => {
  test('fills a plain array as tf.tile does, including reps of 1 and a scalar', () => {
    for (const [shape, reps] of [
      [
        [2, 3, 4],
        [2, 3, 1],
      ],
      [
        [3, 1],
        [1, 5],
      ],
      [[], []],
    ] as [number[], number[]][]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const input = Float32Array.from({ length: size }, (_, i) => i + 1);
      const expected = tf.tidy(() => Array.from(tf.tile(tf.tensor(input, shape), reps).dataSync()));
      const output = new Float32Array(expected.length);
      tileOnHeap(input, shape, reps, output);
      expect(Array.from(output)).toEqual(expected);
    }
  });
});

describe('wasm MaxPoolGrad', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const maxPoolCases: { x: [number, number, number, number]; size: number; stride: number; pad: 'same' | 'valid' }[] = [
    { x: [4, 26, 26, 8], size: 2, stride: 2, pad: 'valid' }, // the MNIST CNN's first pool
    { x: [2, 11, 11, 5], size: 2, stride: 2, pad: 'valid' }, // odd size: last row and column unused
    { x: [2, 9, 7, 3], size: 3, stride: 2, pad: 'same' },
    { x: [1, 6, 6, 2], size: 3, stride: 1, pad: 'same' }, // overlapping windows
  ];

  test.each(maxPoolCases)('max-pool gradient matches the cpu backend: $x, $size×$size stride $stride $pad', (c) => {
    const gradient = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(
          randomArray(
            c.x.reduce((a, b) => a * b),
            11,
          ),
          c.x,
        );
        const pooled = tf.maxPool(x, c.size, c.stride, c.pad);
        const r = tf.tensor(randomArray(pooled.size, 12), pooled.shape);
        return tf
          .grad((v) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad), r)))(x)
          .dataSync();
      });
    };
    const [expected, actual] = [gradient('cpu'), gradient('wasm')];
    expect(expected.filter((v) => v !== 0).length).toBeGreaterThan(expected.length / 20);
    expect(Math.max(...Array.from(expected, (v, i) => Math.abs(v - actual[i]!)))).toBeLessThan(1e-6);
  });
});

describe('wasm BatchMatMul with transposed operands', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const matMulCases = [
    { a: [64, 300], b: [64, 128], transposeA: true, transposeB: false }, // a dense layer's dW = xᵀ·dy
    { a: [64, 128], b: [300, 128], transposeA: false, transposeB: true }, // its dx = dy·Wᵀ
    { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
    { a: [3, 6, 4], b: [3, 6, 5], transposeA: true, transposeB: false }, // batched
    { a: [2, 4, 6], b: [2, 5, 6], transposeA: false, transposeB: true },
    { a: [4, 6], b: [6, 5], transposeA: false, transposeB: false }, // the stock kernel
  ];

  test.each(matMulCases)('matches the cpu backend: $a · $b, transposeA $transposeA, transposeB $transposeB', (c) => {
    const product = (backend: string) => {
      tf.setBackend(backend);
      return tf.tidy(() => {
        const size = (s: number[]) => s.reduce((x, y) => x * y);
        const a = tf.tensor(randomArray(size(c.a), 14), c.a);
        const b = tf.tensor(randomArray(size(c.b), 15), c.b);
        const y = tf.matMul(a, b, c.transposeA, c.transposeB);
        return { shape: y.shape, values: y.dataSync() };
      });
    };
    const [expected, actual] = [product('cpu'), product('wasm')];
    expect(actual.shape).toEqual(expected.shape);
    const scale = Math.max(...Array.from(expected.values, Math.abs));
    expect(scale).toBeGreaterThan(0.5);
    expect(Math.max(...Array.from(expected.values, (v, i) => Math.abs(v - actual.values[i]!)))).toBeLessThan(
      1e-5 * scale,
    );
  });

  test('leaves no tensors behind', () => {
    tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    tf.tidy(() => tf.matMul(tf.ones([4, 3]), tf.ones([5, 4]), true, true).dataSync());
    expect(tf.backend().numDataIds()).toBe(before);
  });
});
