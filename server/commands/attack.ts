import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { writeFileAtomically } from '../../core/files.js';
import { join } from 'node:path';
import { attack } from '../../trainer/attacks/attack.js';
import { defaultAttack, formatAttack, parseAttack } from '../../trainer/attacks/spec.js';
import { makeBatch } from '../../trainer/batch.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { encodePng } from '../../slices/png.js';
import { imageToRgb } from '../../slices/render.js';
import { parseOptions } from '../options.js';
import { ATTACK_OPTIONS } from './attack-options.js';
import { loadModelAndDataset } from './common.js';

/**
 * `slicewatch attack`: adversarial examples for chosen images of a checkpoint's dataset, written as
 * PNGs (original and adversarial), raw float32 vectors, and report.json with the attack's outcome.
 */
export async function attackCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, ATTACK_OPTIONS);
  const indices = config.indices;
  const { classifier, dataset, checkpoint } = await loadModelAndDataset(config);
  const split = dataset[config.split];
  const outOfRange = indices.find((i) => i >= split.count);
  if (outOfRange !== undefined)
    throw new InvalidArgumentError(`invalid index ${outOfRange}: the ${config.split} split has ${split.count} images`);
  const classes = dataset.classNames.length;
  let targets: Int32Array | undefined;
  if (config.targets.length > 0) {
    const list = config.targets;
    if (list.length !== 1 && list.length !== indices.length) {
      throw new InvalidArgumentError(
        `expected --targets to give one class or one per index (${indices.length}), received ${list.length}`,
      );
    }
    if (list.some((t) => t >= classes))
      throw new InvalidArgumentError(`invalid target in ${config.targets}: classes are 0-${classes - 1}`);
    targets = Int32Array.from(indices, (_, i) => list[list.length === 1 ? 0 : i]!);
  }
  const attackConfig =
    config.attack === 'auto'
      ? defaultAttack('pgd', 'linf', dataset.imageShape, 'eval')
      : parseAttack(config.attack, dataset.imageShape, 'eval');
  const { x, labels } = makeBatch(dataset, split, indices);
  const truth = Int32Array.from(await labels.data());
  const result = await attack(classifier, x, truth, attackConfig, targets);
  const d = x.size / indices.length;
  const originals = x.dataSync() as Float32Array;
  const adversarials = result.adversarial.dataSync() as Float32Array;
  mkdirSync(config.out, { recursive: true });
  const examples = indices.map((index, i) => {
    const original = originals.subarray(i * d, (i + 1) * d);
    const adversarial = adversarials.subarray(i * d, (i + 1) * d);
    let linf = 0;
    let l2 = 0;
    for (let k = 0; k < d; k++) {
      const delta = adversarial[k]! - original[k]!;
      linf = Math.max(linf, Math.abs(delta));
      l2 += delta * delta;
    }
    const stem = `${config.split}-${index}`;
    for (const [name, image] of [
      ['original', original],
      ['adversarial', adversarial],
    ] as const) {
      const { rgb, width, height } = imageToRgb(image, dataset.imageShape, config.scale);
      writeFileAtomically(join(config.out, `${stem}-${name}.png`), encodePng(rgb, width, height));
    }
    writeFileAtomically(join(config.out, `${stem}-adversarial.f32`), Buffer.from(adversarial.slice().buffer));
    const name = (c: number) => dataset.classNames[c] ?? String(c);
    return {
      index,
      label: name(truth[i]!),
      target: targets ? name(targets[i]!) : null,
      cleanPrediction: name(result.cleanPrediction[i]!),
      adversarialPrediction: name(result.adversarialPrediction[i]!),
      success: result.success[i] === 1,
      stepsToSuccess: result.stepsToSuccess[i]!,
      linf,
      l2: Math.sqrt(l2),
      files: [`${stem}-original.png`, `${stem}-adversarial.png`, `${stem}-adversarial.f32`],
    };
  });
  tf.dispose([x, labels, result.adversarial]);
  const report = {
    checkpoint,
    dataset: dataset.spec,
    split: config.split,
    imageShape: dataset.imageShape,
    attack: formatAttack(attackConfig),
    examples,
  };
  writeFileAtomically(join(config.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const e of examples) {
    process.stdout.write(
      `${config.split} #${e.index} (${e.label}): ${e.cleanPrediction} → ${e.adversarialPrediction}` +
        `${e.success ? ` (succeeded at step ${e.stepsToSuccess})` : ' (failed)'}, L∞ ${e.linf.toFixed(3)}, L2 ${e.l2.toFixed(3)}\n`,
    );
  }
  process.stdout.write(`wrote ${config.out}/report.json and ${examples.length * 3} image and vector files\n`);
}
