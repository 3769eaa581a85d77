import { InvalidArgumentError } from '../core/errors.js';

/** What compute backend a run uses: pure data, environment-neutral, shared with the store and the dashboard. */
/** The compute backends slicewatch can run on, fastest first. */
export const BACKEND_KINDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** What was chosen, reported in every run's log and metadata. */
export interface BackendInfo {
  kind: BackendKind;
  /** Human-readable detail: the package that provides it, SIMD and threads for wasm. */
  detail: string;
  /** One line per faster backend that is installed but failed to load. */
  warnings: string[];
  /** The wasm backend's thread count. */
  threads?: number;
}

/** Narrows a forced backend name from a flag or SLICEWATCH_BACKEND. */
export function toBackendKind(value: string): BackendKind {
  if ((BACKEND_KINDS as readonly string[]).includes(value)) return value as BackendKind;
  throw new InvalidArgumentError(`invalid backend: ${value}; expected one of ${BACKEND_KINDS.join(', ')}`);
}
