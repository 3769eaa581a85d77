import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { availableParallelism } from 'node:os';
import { backendFromEnv, initBackend, wasmThreads } from '../../trainer/backend.js';

test('without tfjs-node installed, auto picks wasm with SIMD and a thread per core, and reports it', async () => {
  const info = await initBackend(undefined, wasmThreads({}));
  const threads = Math.min(availableParallelism(), 8);
  const detail = `@tensorflow/tfjs-backend-wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`;
  expect(info).toEqual({ kind: 'wasm', detail, warnings: [], threads });
  expect(tf.getBackend()).toBe('wasm');
});

test('a forced backend is used', async () => {
  expect((await initBackend('cpu')).kind).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
});

test('a forced backend that is not installed says how to install it', async () => {
  await expect(initBackend('tensorflow')).rejects.toThrow(
    'backend tensorflow is not available: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (install it with: npm install @tensorflow/tfjs-node, or -gpu with CUDA)',
  );
});

test('SLICEWATCH_BACKEND is read and checked', () => {
  expect(backendFromEnv({ SLICEWATCH_BACKEND: 'wasm' })).toBe('wasm');
  expect(backendFromEnv({})).toBeUndefined();
  expect(backendFromEnv({ SLICEWATCH_BACKEND: 'webgpu' })).toBe('webgpu');
  expect(() => backendFromEnv({ SLICEWATCH_BACKEND: 'metal' })).toThrow(
    'invalid backend: metal; expected one of tensorflow, webgpu, wasm, cpu',
  );
});

test('SLICEWATCH_THREADS is read and checked', () => {
  expect(wasmThreads({ SLICEWATCH_THREADS: '3' })).toBe(3);
  expect(wasmThreads({})).toBe(Math.min(availableParallelism(), 8));
  for (const bad of ['0', '9', '1.5', 'two'])
    expect(() => wasmThreads({ SLICEWATCH_THREADS: bad })).toThrow(
      `invalid SLICEWATCH_THREADS: ${bad}; expected a whole number from 1 to 8`,
    );
});
