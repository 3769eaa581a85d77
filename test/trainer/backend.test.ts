import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { backendFromEnv, initBackend } from '../../trainer/backend.js';

test('without tfjs-node installed, auto picks wasm with SIMD and reports it', async () => {
  const info = await initBackend();
  expect(info).toEqual({ kind: 'wasm', detail: '@tensorflow/tfjs-backend-wasm (SIMD, 1 thread)', warnings: [] });
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
  expect(() => backendFromEnv({ SLICEWATCH_BACKEND: 'webgpu' })).toThrow(
    'invalid backend: webgpu; expected one of tensorflow, wasm, cpu',
  );
});
