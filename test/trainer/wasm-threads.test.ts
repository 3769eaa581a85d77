import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

interface ChildResult {
  detail: string;
  forward: number[];
  dx: number[];
  dw: number[];
}

function runChild(threads: number): ChildResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/wasm-threads-child.ts'], {
    env: { ...process.env, SLICEWATCH_THREADS: String(threads) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  // A child that hangs (the pool's workers keeping it alive) is killed by the timeout: status null.
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as ChildResult;
}

test('the threaded wasm build runs under Node with 2 threads, gives the 1-thread results and lets the process exit', () => {
  const one = runChild(1);
  const two = runChild(2);
  expect(one.detail).toBe('@tensorflow/tfjs-backend-wasm (SIMD, 1 thread)');
  expect(two.detail).toBe('@tensorflow/tfjs-backend-wasm (SIMD, 2 threads)');
  for (const key of ['forward', 'dx', 'dw'] as const) {
    expect(two[key].length).toBe(one[key].length);
    const scale = Math.max(...one[key].map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    const error = Math.max(...one[key].map((v, i) => Math.abs(v - two[key][i]!)));
    expect(error).toBeLessThan(1e-5 * scale);
  }
});
