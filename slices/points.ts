import { InvalidArgumentError } from '../core/errors.js';
import { createRng, mixSeed, normal } from '../core/rng.js';

/**
 * Where a slice's point comes from (the paper's section 2.4), enough to rebuild it exactly: a
 * dataset image, the grey centre of H, a seeded random image, a seeded random perturbation of a
 * point at an L∞ or L2 magnitude (clipped to H), or an adversarial perturbation of a point by a
 * named attack (its spec holds its parameters and seed) against a model (`self`: the model being
 * sliced; else a checkpoint or run folder), optionally towards a target class.
 */
export type PointSpec =
  | { kind: 'dataset'; split: 'train' | 'test'; index: number }
  | { kind: 'grey' }
  | { kind: 'random'; seed: number }
  | { kind: 'noise'; of: PointSpec; norm: 'linf' | 'l2'; magnitude: number; seed: number }
  | { kind: 'adversarial'; of: PointSpec; attack: string; model: string; target: number | null };

const SYNTAX =
  'test:N, train:N, grey, random:SEED, noise(POINT;linf=M|l2=M;seed=S) or adv(POINT;ATTACK[;model=PATH][;target=C])';

function fail(text: string, why: string): never {
  throw new InvalidArgumentError(`invalid point: ${text}; ${why} (expected ${SYNTAX})`);
}

/** Splits `a;b(c;d);e` at the semicolons outside parentheses. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ';' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

function integer(text: string, value: string, name: string): number {
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < 0) fail(text, `${name} must be a non-negative integer, got ${value}`);
  return n;
}

/** Parses the text syntax of a point, e.g. `adv(test:3;pgd-linf:eps=0.3;model=runs/base)`. */
export function parsePoint(text: string): PointSpec {
  const t = text.trim();
  const dataset = /^(test|train):(.*)$/.exec(t);
  if (dataset)
    return { kind: 'dataset', split: dataset[1] as 'test' | 'train', index: integer(t, dataset[2]!, 'the index') };
  if (t === 'grey' || t === 'gray') return { kind: 'grey' };
  const random = /^random:(.*)$/.exec(t);
  if (random) return { kind: 'random', seed: integer(t, random[1]!, 'the seed') };
  const call = /^(noise|adv)\((.*)\)$/.exec(t);
  if (!call) fail(t, 'unknown form');
  const [base, ...rest] = splitArgs(call[2]!);
  const of = parsePoint(base!);
  const options = new Map<string, string>();
  let attack: string | undefined;
  for (const arg of rest) {
    const eq = arg.indexOf('=');
    if (call[1] === 'adv' && attack === undefined && /^(pgd|fgsm)-/.test(arg)) attack = arg;
    else if (eq > 0) options.set(arg.slice(0, eq), arg.slice(eq + 1));
    else fail(t, `cannot read argument ${arg}`);
  }
  if (call[1] === 'noise') {
    const norm = options.has('linf') ? 'linf' : options.has('l2') ? 'l2' : fail(t, 'noise needs linf=M or l2=M');
    const magnitude = Number(options.get(norm));
    if (!(magnitude >= 0)) fail(t, `the magnitude must be a number ≥ 0`);
    return { kind: 'noise', of, norm, magnitude, seed: integer(t, options.get('seed') ?? '0', 'the seed') };
  }
  const target = options.get('target');
  return {
    kind: 'adversarial',
    of,
    attack: attack ?? 'pgd-linf',
    model: options.get('model') ?? 'self',
    target: target === undefined ? null : integer(t, target, 'the target'),
  };
}

/** The text syntax of a point; parsePoint reads it back to the same spec. */
export function formatPoint(spec: PointSpec): string {
  switch (spec.kind) {
    case 'dataset':
      return `${spec.split}:${spec.index}`;
    case 'grey':
      return 'grey';
    case 'random':
      return `random:${spec.seed}`;
    case 'noise':
      return `noise(${formatPoint(spec.of)};${spec.norm}=${spec.magnitude};seed=${spec.seed})`;
    case 'adversarial':
      return `adv(${formatPoint(spec.of)};${spec.attack}${spec.model === 'self' ? '' : `;model=${spec.model}`}${spec.target === null ? '' : `;target=${spec.target}`})`;
    default: {
      const never: never = spec;
      return never;
    }
  }
}

/** The centre of H: every coordinate ½. */
export function greyImage(d: number): Float32Array {
  return new Float32Array(d).fill(0.5);
}

/** A uniform random point of H from a seed. */
export function randomImage(d: number, seed: number): Float32Array {
  const rng = createRng(mixSeed(seed, 0x72616e64));
  return Float32Array.from({ length: d }, () => rng.next());
}

/**
 * x plus seeded random noise of the given size, clipped to H: L∞ adds ±magnitude to every
 * coordinate (random signs); L2 adds a uniformly random direction of length `magnitude`.
 */
export function randomPerturbation(
  x: ArrayLike<number>,
  norm: 'linf' | 'l2',
  magnitude: number,
  seed: number,
): Float32Array {
  const rng = createRng(mixSeed(seed, 0x6e6f6973));
  const noise = Float64Array.from({ length: x.length }, () =>
    norm === 'linf' ? (rng.next() < 0.5 ? -1 : 1) : normal(rng),
  );
  const length = norm === 'l2' ? Math.sqrt(noise.reduce((a, v) => a + v * v, 0)) || 1 : 1;
  return Float32Array.from({ length: x.length }, (_, i) =>
    Math.min(1, Math.max(0, x[i]! + (magnitude * noise[i]!) / length)),
  );
}
