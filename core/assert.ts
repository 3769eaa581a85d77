import { InvalidArgumentError } from './errors.js';

/** Throws "expected NAME to be a positive integer, received VALUE" unless value is one. */
export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`expected ${name} to be a positive integer, received ${value}`);
  }
}

/** Throws unless value is a finite number within [min, max]. */
export function assertInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`expected ${name} to be a number in [${min}, ${max}], received ${value}`);
  }
}
