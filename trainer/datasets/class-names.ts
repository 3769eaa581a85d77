/**
 * The class names a dataset spec stands for, worked out from the spec alone (no file is read), so
 * the server can label a slice set's classes without loading its dataset. Environment-neutral.
 */
import { CIFAR10_CLASSES, DIGIT_CLASSES, FASHION_CLASSES } from './dataset.js';

/**
 * Class names for a dataset spec: the digits "0"–"9" for `mnist`, CIFAR-10's for `cifar10:…`,
 * Fashion-MNIST's for an `idx:` folder whose path names fashion (as loadIdxFolder decides); for any
 * other spec "0" to "K−1", with K from `classCount`, called only then (an `idx:` folder's own
 * classes.txt is not read).
 */
export function classNamesOf(spec: string, classCount: () => number): string[] {
  if (spec === 'mnist') return [...DIGIT_CLASSES];
  if (spec.startsWith('cifar10:')) return [...CIFAR10_CLASSES];
  if (spec.startsWith('idx:') && /fashion/i.test(spec)) return [...FASHION_CLASSES];
  return Array.from({ length: classCount() }, (_, k) => String(k));
}
