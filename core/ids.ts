import { InvalidArgumentError } from './errors.js';

declare const brand: unique symbol;
/** A value of type T that only its validating constructor makes, so ids of different kinds never mix. */
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

/** A run in the store. */
export type RunId = Brand<number, 'RunId'>;
/** A named set of slices that runs are recorded on. */
export type SliceSetId = Brand<number, 'SliceSetId'>;
/** One slice (a plane through a, b, c) of a slice set. */
export type SliceId = Brand<number, 'SliceId'>;

function positiveInteger(kind: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`invalid ${kind}: ${String(value)}; expected a positive integer`);
  }
  return n;
}

/** A run id from a number or a decimal string; throws InvalidArgumentError otherwise. */
export const toRunId = (value: unknown): RunId => positiveInteger('run id', value) as RunId;
/** A slice set id from a number or a decimal string; throws InvalidArgumentError otherwise. */
export const toSliceSetId = (value: unknown): SliceSetId => positiveInteger('slice set id', value) as SliceSetId;
/** A slice id from a number or a decimal string; throws InvalidArgumentError otherwise. */
export const toSliceId = (value: unknown): SliceId => positiveInteger('slice id', value) as SliceId;
