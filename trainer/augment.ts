import type { Rng } from '../core/rng.js';

/**
 * CIFAR augmentation on one image of height × width × channels bytes: a random crop of the
 * image reflect-padded by `pad` pixels on each side (offsets uniform in [0, 2·pad]) and a
 * horizontal flip with probability ½. Writes into `out`.
 */
export function cropAndFlip(
  image: Uint8Array,
  out: Uint8Array,
  shape: readonly [number, number, number],
  pad: number,
  rng: Rng,
): void {
  const [h, w, c] = shape;
  const dy = rng.int(2 * pad + 1) - pad;
  const dx = rng.int(2 * pad + 1) - pad;
  const flip = rng.next() < 0.5;
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  for (let y = 0; y < h; y++) {
    const sy = reflect(y + dy, h);
    for (let x = 0; x < w; x++) {
      const sx = reflect((flip ? w - 1 - x : x) + dx, w);
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = image[(sy * w + sx) * c + k]!;
    }
  }
}
