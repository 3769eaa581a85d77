import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterInfo } from './backend-info.js';
import { registerWebgpuKernels } from './kernels/webgpu/register.js';
import { WEBGPU_SOFTWARE_VARIABLE, webgpuProblem, type DawnFacts, type WebgpuFacts } from './webgpu-diagnosis.js';
import { probeVulkan } from './webgpu-vulkan.js';

/**
 * The webgpu backend: TensorFlow.js's `@tensorflow/tfjs-backend-webgpu` on Dawn's Node binding (the
 * `webgpu` package, an optional dependency), over Vulkan on Linux. Node 20 has no `navigator.gpu`;
 * this module makes one from Dawn, chooses the adapter itself (so a software adapter is refused
 * unless allowed) and registers the backend with a factory on that adapter.
 */

/** The parts of WebGPU's API used here (the DOM's GPU types are not in this project's lib). */
interface Adapter {
  readonly info: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter?: boolean;
  };
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<unknown>;
}
interface Gpu {
  requestAdapter(options?: object): Promise<Adapter | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}
interface WebgpuBackendModule {
  WebGPUBackend: new (device: unknown, adapterInfo: unknown) => tf.KernelBackend;
}

/** Loaded through a variable so that TypeScript does not need the optional package's types. */
const DAWN_PACKAGE = 'webgpu';
const BACKEND_PACKAGE = '@tensorflow/tfjs-backend-webgpu';

interface Dawn {
  gpu: Gpu;
  adapter: Adapter | null;
}

/** One Dawn instance per process (or worker thread): loaded on the first probe, kept for the backend. */
let dawnLoad: Promise<Dawn | DawnFacts> | undefined;

function isModuleNotFound(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
    (e.message ?? '').includes(`'${DAWN_PACKAGE}'`)
  );
}

async function loadDawn(): Promise<Dawn | DawnFacts> {
  let dawn: DawnModule;
  try {
    dawn = (await import(DAWN_PACKAGE)) as DawnModule;
  } catch (error) {
    if (isModuleNotFound(error)) return { kind: 'not-installed' };
    return { kind: 'load-failed', error: String((error as Error).message ?? error).split('\n')[0] ?? '' };
  }
  // GPUBufferUsage, GPUMapMode, … that the backend reads as globals.
  for (const [name, value] of Object.entries(dawn.globals))
    if (!(name in globalThis)) Reflect.set(globalThis, name, value);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  return { gpu, adapter };
}

/** The adapter as recorded in a run's metadata. */
function describeAdapter(adapter: Adapter): GpuAdapterInfo {
  const { vendor, architecture, device, description, isFallbackAdapter } = adapter.info;
  const software =
    isFallbackAdapter === true || architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(device);
  return { vendor, architecture, device, driver: description, software };
}

function dawnFacts(loaded: Dawn | DawnFacts): DawnFacts {
  if (!('gpu' in loaded)) return loaded;
  return loaded.adapter ? { kind: 'adapter', adapter: describeAdapter(loaded.adapter) } : { kind: 'no-adapter' };
}

/** Whether SLICEWATCH_WEBGPU_SOFTWARE allows a software adapter (1, true or yes). */
export function webgpuSoftwareAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env[WEBGPU_SOFTWARE_VARIABLE] ?? '');
}

/** Loads Dawn (once) and reports what the webgpu backend's availability depends on. */
export async function probeWebgpu(env: NodeJS.ProcessEnv = process.env): Promise<WebgpuFacts> {
  dawnLoad ??= loadDawn();
  return {
    platform: process.platform,
    dawn: dawnFacts(await dawnLoad),
    vulkan: process.platform === 'linux' ? probeVulkan(env) : undefined,
    softwareAllowed: webgpuSoftwareAllowed(env),
  };
}

/** The device as tfjs-backend-webgpu asks for it: the adapter's own limits, timestamps when offered. */
function requestDevice(adapter: Adapter): Promise<unknown> {
  const names = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  return adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: Object.fromEntries(names.map((name) => [name, adapter.limits[name]])),
  });
}

/**
 * The backend reads synchronously through an OffscreenCanvas, which Node lacks ("OffscreenCanvas
 * is not defined"): say what to do instead. Data already on the CPU still reads synchronously.
 */
function withReadSyncError(backend: tf.KernelBackend): tf.KernelBackend {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (error) {
      if (!String((error as Error).message).includes('OffscreenCanvas')) throw error;
      throw new Error(
        'the webgpu backend cannot read a tensor synchronously in Node (dataSync, arraySync); read it with await tensor.data()',
        { cause: error },
      );
    }
  };
  return backend;
}

let registered: GpuAdapterInfo | undefined;

/** The result of starting webgpu: the adapter, or why not and the fix. */
export type WebgpuStart =
  { ok: true; adapter: GpuAdapterInfo } | { ok: false; reason: string; fix: string; facts: WebgpuFacts };

/**
 * Starts the webgpu backend on Dawn's adapter, with slicewatch's webgpu kernels, when Dawn loads
 * and gives a hardware adapter (or a software one with SLICEWATCH_WEBGPU_SOFTWARE=1).
 */
export async function startWebgpu(env: NodeJS.ProcessEnv = process.env): Promise<WebgpuStart> {
  const facts = await probeWebgpu(env);
  const problem = webgpuProblem(facts);
  if (problem !== undefined) return { ok: false, ...problem, facts };
  const dawn = (await dawnLoad) as Dawn;
  const adapter = dawn.adapter!;
  if (registered === undefined) {
    const { WebGPUBackend } = (await import(BACKEND_PACKAGE)) as WebgpuBackendModule;
    // The backend checks navigator.gpu when it is constructed.
    const nav = (Reflect.get(globalThis, 'navigator') ?? {}) as Record<string, unknown>;
    Object.defineProperty(globalThis, 'navigator', {
      value: Object.assign(nav, { gpu: dawn.gpu }),
      configurable: true,
      writable: true,
    });
    // Importing the package registers its own factory when navigator.gpu already existed.
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend(
      'webgpu',
      async () => withReadSyncError(new WebGPUBackend(await requestDevice(adapter), adapter.info)),
      0,
    );
    registerWebgpuKernels();
    registered = describeAdapter(adapter);
  }
  if (!(await tf.setBackend('webgpu')))
    return {
      ok: false,
      reason: 'the webgpu backend failed to start on its adapter',
      fix: 'see the warning above',
      facts,
    };
  return { ok: true, adapter: registered };
}
