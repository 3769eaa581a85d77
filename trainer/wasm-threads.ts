import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

/**
 * Starting the wasm backend's multithreaded build (XNNPACK on a pthread pool) under Node.
 *
 * TensorFlow.js 4.22 ships the threaded build and its Emscripten glue can run its pthreads on
 * Node's worker_threads, but the backend turns it off under Node (tfjs issue 3830) because its
 * loader hands the workers their scripts as Blob URLs, which Node's workers cannot load, and
 * because the backend caps its pool at half the logical cores (one thread on two). For the
 * length of the backend's start, this module
 *
 * - writes the two scripts the loader makes Blobs of to files in a temporary folder (the
 *   worker's, which then takes the main script from its file, and the Emscripten module's,
 *   prefixed with the bundle-level `require`s its source refers to);
 * - reports twice the requested thread count as logical cores, so the cap lets it through;
 *
 * and then puts everything back, unreferences the pool's workers (so they do not keep the
 * process alive) and deletes the folder.
 */

/** The most threads the threaded build supports: its pool is made of 8 workers. */
export const MAX_WASM_THREADS = 8;

const THREADED_MODULE_PREFIX = 'var WasmBackendModuleThreadedSimd';

interface PThreadPool {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

/** `var require$$0=require('fs'),…;` — the bundle-level imports the Emscripten module's source uses. */
function bundleRequires(): string {
  const bundle = readFileSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
  const requires = [...bundle.matchAll(/^var (require\$\$\d+) = require\('([^']+)'\);$/gm)].map(
    ([, name, module]) => `${name}=require(${JSON.stringify(module)})`,
  );
  return `var commonjsGlobal=globalThis${requires.map((r) => `,${r}`).join('')};\n`;
}

/** Runs `start` with Blob, URL.createObjectURL and os.cpus shimmed as described above. */
async function withNodeShims<T>(threads: number, folder: string, start: () => Promise<T>): Promise<T> {
  const { Blob: RealBlob } = globalThis;
  const { createObjectURL, revokeObjectURL } = URL;
  const { cpus } = os;
  const texts = new WeakMap<Blob, string>();
  const mainScript = join(folder, 'module.js');
  const workerScript = join(folder, 'worker.js');

  globalThis.Blob = class TextRecordingBlob extends RealBlob {
    constructor(
      parts: ConstructorParameters<typeof RealBlob>[0] = [],
      options?: ConstructorParameters<typeof RealBlob>[1],
    ) {
      super(parts, options);
      if (!parts.every((part) => typeof part === 'string')) return;
      const text = parts.join('');
      texts.set(this, text);
      if (text.startsWith(THREADED_MODULE_PREFIX)) writeFileSync(mainScript, bundleRequires() + text);
    }
  };
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined || text.startsWith(THREADED_MODULE_PREFIX)) return createObjectURL(blob);
    // The pthread worker's own script; in the worker, the module's Blob URL becomes its file.
    const workerShim = `URL.createObjectURL=()=>${JSON.stringify(mainScript)};URL.revokeObjectURL=()=>{};\n`;
    writeFileSync(workerScript, workerShim + text);
    return workerScript;
  };
  const cpu = cpus()[0]!;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpu);
  try {
    return await start();
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = revokeObjectURL;
    os.cpus = cpus;
  }
}

/**
 * Starts the wasm backend with `threads` threads (1 = the single-threaded SIMD build, no
 * workers) and returns the number it runs with. Call once, before anything else starts wasm.
 */
export async function startWasmBackend(threads: number): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads <= 1) {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start');
    return 1;
  }
  wasm.setThreadsCount(threads);
  const folder = mkdtempSync(join(os.tmpdir(), 'slicewatch-wasm-'));
  const failed = (why: string) =>
    new Error(
      `the wasm backend's threaded build failed to start with ${threads} threads (${why}); SLICEWATCH_THREADS=1 uses the single-threaded build`,
    );
  const removeFolder = () => rmSync(folder, { recursive: true, force: true });
  process.once('exit', removeFolder);
  // Emscripten's Node glue unreferences each pool worker as soon as it has loaded, and pending wasm
  // compilation holds no handle either, so while the start awaits, nothing may keep the event loop
  // alive: Node then ends a process that awaits at top level with exit code 13 and no message,
  // before the folder is removed. A handle of our own keeps the process alive until the start ends.
  const keepAlive = setInterval(() => undefined, 1000);
  let started: boolean;
  try {
    started = await withNodeShims(threads, folder, () => tf.setBackend('wasm'));
  } catch (error) {
    throw failed(String((error as Error).message ?? error).split('\n')[0]!);
  } finally {
    clearInterval(keepAlive);
    process.off('exit', removeFolder);
    removeFolder();
  }
  if (!started) throw failed('see the warning above');
  const pool = (tf.backend() as unknown as { wasm: { PThread: PThreadPool } }).wasm.PThread;
  for (const worker of [...pool.unusedWorkers, ...pool.runningWorkers]) worker.unref();
  return wasm.getThreadsCount();
}
