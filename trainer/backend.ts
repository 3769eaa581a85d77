import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { BackendUnavailableError, InvalidArgumentError } from '../core/errors.js';
import { registerWasmKernels } from './kernels/register.js';
import { MAX_WASM_THREADS, startWasmBackend } from './wasm-threads.js';
import { BACKEND_KINDS, toBackendKind, type BackendInfo, type BackendKind } from './backend-info.js';

type Attempt = { ok: true; detail: string; threads?: number } | { ok: false; installed: boolean; reason: string };

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(`'${pkg}'`);
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}

async function tryTensorflow(): Promise<Attempt> {
  const failures: string[] = [];
  let installed = false;
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return { ok: true, detail: pkg };
      installed = true;
      failures.push(`${pkg} loaded but did not register the tensorflow backend`);
    } catch (error) {
      if (isModuleNotFound(error, pkg)) continue;
      installed = true;
      failures.push(`${pkg} is installed but failed to load: ${firstLine(error)}`);
    }
  }
  if (!installed) {
    return { ok: false, installed, reason: 'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed' };
  }
  return { ok: false, installed, reason: failures.join('; ') };
}

async function tryWasm(threads: number): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmKernels();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    // The threaded build needs SIMD as well.
    const running = await startWasmBackend(simd ? threads : 1);
    const detail = `${simd ? 'SIMD' : 'no SIMD'}, ${running} thread${running === 1 ? '' : 's'}`;
    return { ok: true, detail: `@tensorflow/tfjs-backend-wasm (${detail})`, threads: running };
  } catch (error) {
    return {
      ok: false,
      installed: !isModuleNotFound(error, '@tensorflow/tfjs-backend-wasm'),
      reason: firstLine(error),
    };
  }
}

async function tryCpu(): Promise<Attempt> {
  await tf.setBackend('cpu');
  return { ok: true, detail: '@tensorflow/tfjs-backend-cpu (plain JavaScript, slow)' };
}

const attempts: Record<BackendKind, (threads: number) => Promise<Attempt>> = {
  tensorflow: tryTensorflow,
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Chooses and starts the compute backend: `forced` (from a flag or SLICEWATCH_BACKEND) or the
 * first of tensorflow → wasm → cpu that loads. A forced backend that cannot load throws
 * BackendUnavailableError; a faster one that is installed but broken adds a warning and falls back.
 * `threads` is the wasm backend's thread count (the others choose their own).
 */
export async function initBackend(forced?: BackendKind, threads: number = wasmThreads()): Promise<BackendInfo> {
  // Production mode: no "install the node backend" banner, no debug-time checks.
  tf.env().set('PROD', true);
  const order: readonly BackendKind[] = forced ? [forced] : BACKEND_KINDS;
  const warnings: string[] = [];
  for (const kind of order) {
    const attempt = await attempts[kind](threads);
    if (attempt.ok) {
      await tf.ready();
      return { kind, detail: attempt.detail, warnings, ...(attempt.threads ? { threads: attempt.threads } : {}) };
    }
    if (forced) {
      const hint =
        kind === 'tensorflow' ? ' (install it with: npm install @tensorflow/tfjs-node, or -gpu with CUDA)' : '';
      throw new BackendUnavailableError(`backend ${kind} is not available: ${attempt.reason}${hint}`);
    }
    if (attempt.installed) warnings.push(`backend ${kind} skipped: ${attempt.reason}`);
  }
  throw new BackendUnavailableError('no compute backend could be started');
}

/** The backend forced by the SLICEWATCH_BACKEND environment variable, if set. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendKind | undefined {
  const value = env['SLICEWATCH_BACKEND'];
  return value ? toBackendKind(value) : undefined;
}

/**
 * The wasm backend's thread count: SLICEWATCH_THREADS, else one per core the process may use
 * (at most 8, the size of the threaded build's worker pool).
 */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['SLICEWATCH_THREADS'];
  if (!value) return Math.min(availableParallelism(), MAX_WASM_THREADS);
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS)
    throw new InvalidArgumentError(
      `invalid SLICEWATCH_THREADS: ${value}; expected a whole number from 1 to ${MAX_WASM_THREADS}`,
    );
  return threads;
}
