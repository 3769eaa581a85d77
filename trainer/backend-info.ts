import { InvalidArgumentError } from '../core/errors.js';

/** What compute backend a run uses: pure data, environment-neutral, shared with the store and the dashboard. */
/** The compute backends slicewatch can run on, fastest first. */
export const BACKEND_KINDS = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** The WebGPU adapter a webgpu run computes on, as Dawn describes it. */
export interface GpuAdapterInfo {
  /** `nvidia`, `amd`, `intel`, `mesa` (lavapipe), … */
  vendor: string;
  /** `software` for lavapipe and SwiftShader; a GPU family otherwise. */
  architecture: string;
  /** The device: `nvidia-h200`, `llvmpipe-…`. */
  device: string;
  /** The driver's own description, with its version (`NVIDIA: 580.95.05`, `llvmpipe: Mesa 25.0.7`). */
  driver: string;
  /** A CPU implementation (Dawn's fallback adapter): correct, but its timings say nothing about a GPU. */
  software: boolean;
}

/** What was chosen, reported in every run's log and metadata. */
export interface BackendInfo {
  kind: BackendKind;
  /** Human-readable detail: the package that provides it, SIMD and threads for wasm, the adapter for webgpu. */
  detail: string;
  /** One line per faster backend that is installed but failed to load. */
  warnings: string[];
  /** The wasm backend's thread count. */
  threads?: number;
  /** The webgpu backend's adapter. */
  adapter?: GpuAdapterInfo;
}

/** Narrows a forced backend name from a flag or SLICEWATCH_BACKEND. */
export function toBackendKind(value: string): BackendKind {
  if ((BACKEND_KINDS as readonly string[]).includes(value)) return value as BackendKind;
  throw new InvalidArgumentError(`invalid backend: ${value}; expected one of ${BACKEND_KINDS.join(', ')}`);
}
