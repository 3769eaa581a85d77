import { formatAttack, defaultAttack, parseAttack } from '../../trainer/attacks/spec.js';
import { evaluateRobustness } from '../../trainer/attacks/robustness.js';
import { accuracy } from '../../trainer/evaluate.js';
import { parseFlags } from '../args.js';
import { EVAL_DEFAULTS, EVAL_OPTIONS } from '../config.js';
import { assertPositiveInteger } from '../../trainer/assert.js';
import { loadModelAndDataset } from './common.js';

/** `slicewatch eval`: test accuracy of a checkpoint, and robust accuracy under an attack. */
export async function evalCommand(argv: string[]): Promise<void> {
  const config = parseFlags(argv, EVAL_DEFAULTS, EVAL_OPTIONS);
  assertPositiveInteger('--limit', config.limit);
  const { classifier, dataset } = await loadModelAndDataset(config);
  const attack =
    config.attack === 'none'
      ? undefined
      : config.attack === 'auto'
        ? defaultAttack('pgd', 'linf', dataset.imageShape, 'eval')
        : parseAttack(config.attack, dataset.imageShape, 'eval');
  const testAccuracy = await accuracy(classifier, dataset, dataset.test);
  process.stdout.write(`test accuracy: ${(100 * testAccuracy).toFixed(2)}% on ${dataset.test.count} images\n`);
  if (!attack) return;
  const r = await evaluateRobustness(classifier, dataset, attack, { limit: config.limit, seed: config.seed });
  process.stdout.write(
    `robust accuracy: ${(100 * r.robustAccuracy).toFixed(2)}% (clean ${(100 * r.cleanAccuracy).toFixed(2)}%) on ${r.count} test images ` +
      `(seed ${config.seed}) under ${formatAttack(attack)}; flipped images took ${r.meanStepsToSuccess.toFixed(1)} steps on average\n`,
  );
}
