import { existsSync } from 'node:fs';
import { assertInRange } from '../core/assert.js';
import { InvalidArgumentError } from '../core/errors.js';
import { PALETTE_NAMES } from '../slices/palette.js';
import type { PointSpec } from '../slices/points.js';
import { checkStepRange } from '../app/render-video.js';
import { JOB_KINDS, TRAIN_PRESETS, type JobRequest, type TrainPreset } from './job-types.js';
import { DATASET, MODE_NAMES, POINT, RESOLUTION, SCALE } from './commands/common-options.js';

/** A name that becomes a folder or a slice set: letters, digits, `.`, `_`, `-`; never a path. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The most steps a server-started training run may ask for. */
export const MAX_TRAIN_STEPS = 10_000_000;

/** The command-line flags each training preset adds to `slicewatch train`. */
export const PRESET_FLAGS: Record<TrainPreset, string[]> = {
  baseline: [],
  madry: ['--adv', 'pgd-linf:steps=7,step=0.1'],
  mixup: ['--mixup', '1'],
};

/** Throws "invalid FIELD: VALUE; expected …" unless `value` is a folder or slice-set name. */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value) || value === '.' || value === '..')
    throw new InvalidArgumentError(
      `invalid ${field}: ${JSON.stringify(value)}; expected 1-64 letters, digits, '.', '_' or '-' (not . or ..)`,
    );
  return value;
}

/** A run as the store names it (run names are looked up in the store, never opened as paths). */
function checkRunName(field: string, value: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || /[\u0000-\u001f]/.test(value))
    throw new InvalidArgumentError(`invalid ${field}: ${JSON.stringify(value)}; expected a run name from the store`);
  return value;
}

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(
      `expected ${field} to be an integer from ${min} to ${max}, received ${String(value)}`,
    );
  return value;
}

function checkOneOf<T extends string>(field: string, value: unknown, values: readonly T[]): T {
  if (!values.includes(value as T))
    throw new InvalidArgumentError(`invalid ${field}: ${String(value)}; expected one of ${values.join(', ')}`);
  return value as T;
}

/** A dataset spec the server can read: `mnist`, or an `idx:`/`cifar10:` path that exists here. */
function checkDataset(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`invalid dataset: ${String(value)}`);
  DATASET.parse(value, 'dataset');
  const path = value.replace(/^(idx|cifar10):/, '');
  if (value !== 'mnist' && !existsSync(path))
    throw new InvalidArgumentError(`invalid dataset: ${value}; the server cannot read ${path}`);
  return value;
}

/** A request's slice points, parsed and checked like the CLI's --a/--b/--c. */
export function requestPoints(request: Extract<JobRequest, { kind: 'rerender' }>): {
  a: PointSpec;
  b: PointSpec;
  c: PointSpec;
} {
  const point = (field: 'a' | 'b' | 'c') => {
    const text: unknown = request[field];
    if (typeof text !== 'string' || text.length > 1024)
      throw new InvalidArgumentError(`invalid ${field}: expected a point spec such as test:3`);
    return POINT.parse(text, field);
  };
  return { a: point('a'), b: point('b'), c: point('c') };
}

/**
 * Checks a request at the registry's door, so a bad one is refused with a one-line
 * InvalidArgumentError instead of becoming a failed job.
 */
export function checkJobRequest(request: JobRequest): void {
  const kind = checkOneOf('job kind', request.kind, JOB_KINDS);
  switch (kind) {
    case 'video': {
      const r = request as Extract<JobRequest, { kind: 'video' }>;
      if (!Array.isArray(r.runs) || r.runs.length === 0 || r.runs.length > 8)
        throw new InvalidArgumentError('expected runs to be a list of 1 to 8 run names');
      r.runs.forEach((name, i) => checkRunName(`runs[${i}]`, name));
      if (r.slices !== 'all') {
        if (!Array.isArray(r.slices) || r.slices.length === 0 || r.slices.length > 64)
          throw new InvalidArgumentError("expected slices to be 'all' or a list of 1 to 64 slice positions");
        r.slices.forEach((p, i) => checkInteger(`slices[${i}]`, p, 0, 10_000));
      }
      if (r.sliceSet !== undefined && r.sliceSet !== '') checkName('sliceSet', r.sliceSet);
      checkOneOf('time', r.time, ['every', 'log'] as const);
      checkInteger('frames', r.frames, 1, 100_000);
      assertInRange('fps', r.fps, 1, 120);
      checkInteger('scale', r.scale, SCALE.min, SCALE.max);
      if (r.palette !== undefined) checkOneOf('palette', r.palette, PALETTE_NAMES);
      if (r.from !== undefined) checkInteger('from', r.from, 0, Number.MAX_SAFE_INTEGER);
      if (r.to !== undefined) checkInteger('to', r.to, 0, Number.MAX_SAFE_INTEGER);
      checkStepRange(r);
      return;
    }
    case 'rerender': {
      const r = request as Extract<JobRequest, { kind: 'rerender' }>;
      checkRunName('run', r.run);
      checkName('name', r.name);
      checkInteger('resolution', r.resolution, RESOLUTION.min, RESOLUTION.max);
      checkOneOf('mode', r.mode, MODE_NAMES);
      requestPoints(r);
      return;
    }
    case 'train': {
      const r = request as Extract<JobRequest, { kind: 'train' }>;
      checkOneOf('preset', r.preset, TRAIN_PRESETS);
      checkName('name', r.name);
      checkInteger('steps', r.steps, 1, MAX_TRAIN_STEPS);
      checkDataset(r.dataset);
      if (r.sliceSet !== undefined && r.sliceSet !== '') checkName('sliceSet', r.sliceSet);
      return;
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}
