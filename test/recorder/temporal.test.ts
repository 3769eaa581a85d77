import { expect, test } from 'vitest';
import { temporalSeeds } from '../../recorder/temporal.js';

test('seeds: both sides of the previous boundaries, the rotating lattice, uncertain pixels', () => {
  // 8 × 4, all feasible, class 0 in columns 0–3 and class 1 in columns 4–7; lattice spacing 8 / 2 = 4.
  const geometry = { width: 8, height: 4, feasible: new Uint8Array(32).fill(1) };
  const labels = Uint8Array.from({ length: 32 }, (_, p) => (p % 8 < 4 ? 0 : 1));
  const confidence = new Uint8Array(32).fill(250);
  confidence[1] = 100;
  const checks = { lattice: 2, sample: 0, uncertain: 128, band: 0 };
  const seeds = (frame: number) => Array.from(temporalSeeds(geometry, { labels, confidence }, frame, checks));
  // Frame 0: columns 3 and 4 on every row, the lattice at (0,0) and (4,0), and pixel 1 (confidence 100).
  expect(seeds(0)).toEqual([0, 1, 3, 4, 11, 12, 19, 20, 27, 28]);
  // Frame 1: the lattice moves by (spacing + 1) = 5 of its 16 offsets, to (1,1) and (5,1).
  expect(seeds(1)).toEqual([1, 3, 4, 9, 11, 12, 13, 19, 20, 27, 28]);
});
