import { describeEvalAttack, parseEvalAttack } from '../../trainer/attacks/spec.js';
import { evaluateRobustness, type Robustness } from '../../trainer/attacks/robustness.js';
import { accuracy } from '../../trainer/evaluate.js';
import { parseOptions } from '../options.js';
import { EVAL_OPTIONS } from './eval-options.js';
import { loadModelAndDataset } from './common.js';

/** "broken by apgd-ce 120, apgd-t 3" for the strong evaluation, the mean steps to success for one attack. */
function breakdown(r: Robustness, strong: boolean): string {
  if (!strong) return `flipped images took ${r.meanStepsToSuccess.toFixed(1)} steps on average`;
  const parts = Object.entries(r.brokenBy).map(([name, count]) => `${name} ${count}`);
  return parts.length > 0 ? `broken by ${parts.join(', ')}` : 'none broken';
}

/**
 * `slicewatch eval`: test accuracy of a checkpoint, and robust accuracy under the strong evaluation
 * (by default) or an attack, printed with its name and budget.
 */
export async function evalCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, EVAL_OPTIONS);
  const { classifier, dataset } = await loadModelAndDataset(config);
  const attack = config.attack === 'none' ? undefined : parseEvalAttack(config.attack, dataset.imageShape);
  const testAccuracy = await accuracy(classifier, dataset, dataset.test);
  process.stdout.write(`test accuracy: ${(100 * testAccuracy).toFixed(2)}% on ${dataset.test.count} images\n`);
  if (!attack) return;
  const started = performance.now();
  const r = await evaluateRobustness(classifier, dataset, attack, { limit: config.limit, seed: config.seed });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `robust accuracy: ${(100 * r.robustAccuracy).toFixed(2)}% (clean ${(100 * r.cleanAccuracy).toFixed(2)}%) on ${r.count} test images ` +
      `(seed ${config.seed}) under ${describeEvalAttack(attack)}; ${breakdown(r, attack.kind === 'strong')}; ${seconds.toFixed(1)} s\n`,
  );
}
