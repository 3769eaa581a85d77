import { expect, test } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { toRunId, toSliceId, toSliceSetId } from '../../core/ids.js';

test.each([
  { value: 7, expected: 7 },
  { value: '12', expected: 12 },
  { value: Number.MAX_SAFE_INTEGER, expected: Number.MAX_SAFE_INTEGER },
])('toRunId($value) = $expected', ({ value, expected }) => {
  expect(toRunId(value)).toBe(expected);
});

test.each([0, -1, 1.5, Number.NaN, 2 ** 53, '', '1.0', '1e3', ' 3', '-2', null, undefined, [1]])(
  'toRunId(%j) throws',
  (value) => {
    expect(() => toRunId(value)).toThrow(InvalidArgumentError);
  },
);

test('messages name the kind of id and the value', () => {
  expect(() => toRunId(1.5)).toThrow('invalid run id: 1.5; expected a positive integer');
  expect(() => toSliceSetId('x')).toThrow('invalid slice set id: x; expected a positive integer');
  expect(() => toSliceId(0)).toThrow('invalid slice id: 0; expected a positive integer');
});
