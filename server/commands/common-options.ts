import { InvalidArgumentError } from '../../core/errors.js';
import { formatPoint, parsePoint, type PointSpec } from '../../slices/points.js';
import { validateAttack } from '../../trainer/attacks/attack.js';
import { parseAttack, parseEvalAttack, type AttackPurpose } from '../../trainer/attacks/spec.js';
import { BACKEND_KINDS, toBackendKind, type BackendKind } from '../../trainer/backend-info.js';
import { resolveCheckpoint } from '../../trainer/checkpoint.js';
import { listWords, withFlag, type CustomKind, type IntKind, type OptionRow, type PathKind } from '../options.js';

/** Option kinds and rows that several commands share (share the row, never copy it). */

/** Pixels along a slice's longer side: at least 8, at most 2048 (a 2048² frame is 4 M model inputs). */
export const RESOLUTION: IntKind = { kind: 'int', min: 8, max: 2048 };

/** Nearest-neighbour upscaling of a PNG or video pixel. */
export const SCALE: IntKind = { kind: 'int', min: 1, max: 32 };

/** How a slice is evaluated: every feasible pixel, or a coarse lattice refined where labels differ. */
export const MODE_NAMES = ['full', 'adaptive'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

/** How recorded frames are evaluated: also `temporal`, from the previous frame of the slice. */
export const RECORD_MODE_NAMES = [...MODE_NAMES, 'temporal'] as const;
export type RecordModeName = (typeof RECORD_MODE_NAMES)[number];

/** The evaluation a --mode or --record-mode names. */
export { evaluationModeNamed as evaluationMode } from '../../recorder/evaluate.js';

/** Attack specs are checked against MNIST's image shape: only the defaults of unset keys depend on it. */
const CHECK_SHAPE = [28, 28, 1] as const;

/**
 * An attack spec `KIND-NORM[:key=value,…]` (parseAttack) whose values the attack accepts
 * (validateAttack), or one of `words` (such as `none` or `auto`).
 */
export function attackKind(purpose: AttackPurpose, words: readonly string[]): CustomKind<string> {
  return {
    kind: 'custom',
    parse: (text, flag) => {
      if (words.includes(text)) return text;
      withFlag(flag, text, () => {
        try {
          validateAttack(parseAttack(text, CHECK_SHAPE, purpose));
        } catch (error) {
          if (error instanceof InvalidArgumentError && words.length > 0 && error.message.startsWith('invalid attack:'))
            throw new InvalidArgumentError(`${error.message}; or ${listWords(words)}`);
          throw error;
        }
      });
      return text;
    },
  };
}

/** What robust accuracy is measured with (parseEvalAttack): auto, strong…, an attack spec, or `none`. */
export const EVAL_ATTACK: CustomKind<string> = {
  kind: 'custom',
  parse: (text, flag) => {
    if (text === 'none') return text;
    withFlag(flag, text, () => {
      const attack = parseEvalAttack(text, CHECK_SHAPE);
      if (attack.kind !== 'strong') validateAttack(attack);
    });
    return text;
  },
};

/** Checkpoint or run folders, joined by `+` for an ensemble; each must hold a checkpoint. */
function checkCheckpoints(text: string): void {
  for (const part of text.split('+')) resolveCheckpoint(part);
}

/** Checkpoint or run folders joined by `+`, named with the flag when one holds no checkpoint. */
export const CHECKPOINTS: CustomKind<string> = {
  kind: 'custom',
  parse: (text, flag) => {
    withFlag(flag, text, () => checkCheckpoints(text));
    return text;
  },
};

/** Every attack inside a point is valid, and every model it is computed against holds a checkpoint. */
function checkPoint(spec: PointSpec): void {
  if (spec.kind === 'noise') checkPoint(spec.of);
  if (spec.kind !== 'adversarial') return;
  checkPoint(spec.of);
  validateAttack(parseAttack(spec.attack, CHECK_SHAPE, 'eval'));
  if (spec.model !== 'self') checkCheckpoints(spec.model);
}

/** A point spec (parsePoint): test:N, grey, noise(…), adv(…). */
export const POINT: CustomKind<PointSpec> = {
  kind: 'custom',
  parse: (text, flag) =>
    withFlag(flag, text, () => {
      const spec = parsePoint(text);
      checkPoint(spec);
      return spec;
    }),
  format: formatPoint,
};

/** Comma-separated non-negative integers (image indices, slice positions, classes); `allowEmpty`: '' is []. */
export function indexList(allowEmpty: boolean): CustomKind<number[]> {
  return {
    kind: 'custom',
    parse: (text, flag) => {
      if (allowEmpty && text === '') return [];
      const values = text.split(',').map((t) => t.trim());
      if (values.some((t) => !/^\d+$/.test(t)))
        throw new InvalidArgumentError(
          `expected --${flag} to be comma-separated non-negative integers, received ${text}`,
        );
      return values.map(Number);
    },
    format: (value) => value.join(','),
  };
}

/** A dataset spec: mnist, idx:FOLDER or cifar10:FOLDER|FILE.tar.gz (the files are checked on loading). */
export const DATASET: CustomKind<string> = {
  kind: 'custom',
  parse: (text, flag) => {
    if (!/^(?:mnist|idx:.+|cifar10:.+)$/.test(text))
      throw new InvalidArgumentError(
        `invalid --${flag}: ${text}; expected mnist, idx:FOLDER or cifar10:FOLDER|FILE.tar.gz`,
      );
    return text;
  },
};

export const BACKEND_ROW: OptionRow<'auto' | BackendKind> = {
  flag: 'backend',
  arg: 'KIND',
  help: `compute backend: auto, ${BACKEND_KINDS.join(', ')}`,
  kind: 'custom',
  parse: (text) => (text === 'auto' ? 'auto' : toBackendKind(text)),
};

/** The run store; `input-file` where a command only reads recorded runs. */
export function storeRow(role: PathKind['role']): OptionRow<string> {
  return {
    flag: 'store',
    arg: 'FILE',
    help: 'the run store (SQLite) that recorded runs, scalars and frames go to',
    kind: 'path',
    role,
  };
}

/** Options shared by the commands that load a trained model. */
export interface ModelCommandConfig {
  /** Checkpoint folder, or a run folder (its newest checkpoint); several joined by `+`. */
  checkpoint: string;
  /** Dataset spec; empty = the run's own (from its run.json), else mnist. */
  dataset: string;
  backend: 'auto' | BackendKind;
}

export const MODEL_COMMAND_DEFAULTS: ModelCommandConfig = { checkpoint: '', dataset: '', backend: 'auto' };

export const MODEL_COMMAND_TABLE = {
  checkpoint: {
    flag: 'checkpoint',
    arg: 'PATH',
    help: 'checkpoint folder, or a run folder for its newest checkpoint; A+B for an ensemble',
    required: '--checkpoint PATH is required (a checkpoint or run folder)',
    kind: 'custom',
    // Its own message names the path; as the only model option it needs no flag.
    parse: (text) => {
      checkCheckpoints(text);
      return text;
    },
  },
  dataset: { flag: 'dataset', arg: 'SPEC', help: "dataset spec (default: the run's own, else mnist)", ...DATASET },
  backend: BACKEND_ROW,
} satisfies { [K in keyof ModelCommandConfig]-?: OptionRow<ModelCommandConfig[K]> };

/** The point options of slice and rerender. */
const POINT_HELP =
  'test:N, train:N, grey, random:SEED, noise(POINT;linf=M|l2=M;seed=S), adv(POINT;ATTACK[;model=PATH][;target=C])';
export const POINT_ROWS = {
  a: { flag: 'a', arg: 'POINT', help: `first point, the slice's origin: ${POINT_HELP}`, ...POINT },
  b: { flag: 'b', arg: 'POINT', help: 'second point; the s axis runs from a towards b', ...POINT },
  c: { flag: 'c', arg: 'POINT', help: 'third point (the paper\'s "third point dilemma", section 2.4)', ...POINT },
} satisfies Record<string, OptionRow<PointSpec>>;

export const MODE_ROW: OptionRow<ModeName> = {
  flag: 'mode',
  arg: 'MODE',
  help: 'full (every feasible pixel) or adaptive (coarse lattice, refined where labels differ)',
  kind: 'enum',
  values: MODE_NAMES,
};

export const RESOLUTION_ROW: OptionRow<number> = {
  flag: 'resolution',
  arg: 'N',
  help: 'pixels along the longer side of the slice',
  ...RESOLUTION,
};
