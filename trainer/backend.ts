import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { BackendUnavailableError, InvalidArgumentError } from '../core/errors.js';
import { registerWasmKernels } from './kernels/register.js';
import { MAX_WASM_THREADS, startWasmBackend } from './wasm-threads.js';
import { startWebgpu, webgpuSoftwareAllowed } from './webgpu.js';
import { gpuDeviceNodes } from './webgpu-vulkan.js';
import {
  BACKEND_KINDS,
  toBackendKind,
  type BackendInfo,
  type BackendKind,
  type GpuAdapterInfo,
} from './backend-info.js';

type Attempt =
  | { ok: true; detail: string; threads?: number; adapter?: GpuAdapterInfo }
  | { ok: false; installed: boolean; reason: string; fix?: string };

/** Whether `error` is Node's "cannot find package `pkg`" (absent, as opposed to failing to load). */
export function isModuleNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(`'${pkg}'`);
}

/** An error's first line, for one-line reports. */
export function firstLine(error: unknown): string {
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

/**
 * webgpu on Dawn's adapter. A machine without a GPU adapter is not a broken install: auto moves on
 * without a warning; only a hardware adapter whose backend then fails to start warns. On Linux,
 * auto does not even load Dawn where no GPU device node exists (Dawn would only find a software
 * adapter, and prints warnings on stderr while looking).
 */
async function tryWebgpu(_threads: number, forced: boolean): Promise<Attempt> {
  if (!forced && !webgpuSoftwareAllowed() && process.platform === 'linux' && gpuDeviceNodes().length === 0)
    return { ok: false, installed: false, reason: 'no GPU device node (/dev/nvidia*, /dev/dri/renderD*, /dev/dxg)' };
  const start = await startWebgpu();
  if (start.ok) {
    const { vendor, device, driver, software } = start.adapter;
    const detail = `@tensorflow/tfjs-backend-webgpu on Dawn, adapter ${device} (${vendor}; ${driver})${software ? ', software' : ''}`;
    return { ok: true, detail, adapter: start.adapter };
  }
  const { dawn } = start.facts;
  const hardware = dawn.kind === 'adapter' && !dawn.adapter.software;
  return { ok: false, installed: hardware, reason: start.reason, fix: start.fix };
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

const attempts: Record<BackendKind, (threads: number, forced: boolean) => Promise<Attempt>> = {
  tensorflow: tryTensorflow,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Chooses and starts the compute backend: `forced` (from a flag or SLICEWATCH_BACKEND) or the
 * first of tensorflow → webgpu (a hardware adapter) → wasm → cpu that loads. A forced backend that cannot load throws
 * BackendUnavailableError; a faster one that is installed but broken adds a warning and falls back.
 * `threads` is the wasm backend's thread count (the others choose their own).
 */
export async function initBackend(forced?: BackendKind, threads: number = wasmThreads()): Promise<BackendInfo> {
  // Production mode: no "install the node backend" banner, no debug-time checks.
  tf.env().set('PROD', true);
  const order: readonly BackendKind[] = forced ? [forced] : BACKEND_KINDS;
  const warnings: string[] = [];
  for (const kind of order) {
    const attempt = await attempts[kind](threads, forced !== undefined);
    if (attempt.ok) {
      await tf.ready();
      return {
        kind,
        detail: attempt.detail,
        warnings,
        ...(attempt.threads ? { threads: attempt.threads } : {}),
        ...(attempt.adapter ? { adapter: attempt.adapter } : {}),
      };
    }
    if (forced) {
      const hint =
        kind === 'tensorflow'
          ? ' (install it with: npm install @tensorflow/tfjs-node, or -gpu with CUDA)'
          : attempt.fix
            ? `; ${attempt.fix}`
            : '';
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
