import { InvalidArgumentError } from '../../core/errors.js';

/**
 * Which architecture to build. `cnn` is the paper's standard 3-layer MNIST CNN; `wrn` is Wide
 * ResNet WRN-depth-width (Zagoruyko & Komodakis), the paper's CIFAR-10 model.
 */
export type ModelSpec = { kind: 'cnn' } | { kind: 'wrn'; depth: number; width: number; dropout: number };

/** Parses `cnn`, `wrn-D-K` or `wrn-D-K-dropoutP` (e.g. `wrn-28-10`, `wrn-16-2-dropout0.3`). */
export function parseModelSpec(text: string): ModelSpec {
  if (text === 'cnn') return { kind: 'cnn' };
  const match = /^wrn-(\d+)-(\d+)(?:-dropout(0(?:\.\d+)?))?$/.exec(text);
  if (match) {
    const depth = Number(match[1]);
    if ((depth - 4) % 6 !== 0 || depth < 10) {
      throw new InvalidArgumentError(`invalid model: ${text}; WRN depth must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, …)`);
    }
    return { kind: 'wrn', depth, width: Number(match[2]), dropout: Number(match[3] ?? 0) };
  }
  throw new InvalidArgumentError(`invalid model: ${text}; expected cnn or wrn-DEPTH-WIDTH (e.g. wrn-16-2)`);
}

export function formatModelSpec(spec: ModelSpec): string {
  switch (spec.kind) {
    case 'cnn':
      return 'cnn';
    case 'wrn':
      return `wrn-${spec.depth}-${spec.width}${spec.dropout > 0 ? `-dropout${spec.dropout}` : ''}`;
    default: {
      const never: never = spec;
      return never;
    }
  }
}
