import { expect, test } from 'vitest';
import { fitChange, localResiduals, probePixels, TemporalTracker } from '../../recorder/temporal.js';
import { writeDecisions, type PixelSource } from '../../recorder/pixel-evaluation.js';

test('probes: lattice nodes and the first and last feasible pixel of every lattice row and column', () => {
  // 8 × 8, feasible in columns 1–6 only; lattice 2 → spacing 4 → lattice lines 0, 4 and 7.
  const feasible = Uint8Array.from({ length: 64 }, (_, p) => (p % 8 >= 1 && p % 8 <= 6 ? 1 : 0));
  const probes = Array.from(probePixels({ width: 8, height: 8, feasible }, 2));
  // Nodes (4,0), (4,4), (4,7); row ends (1,y), (6,y) for y = 0, 4, 7; column 4's ends are nodes.
  expect(probes).toEqual([1, 4, 6, 33, 36, 38, 57, 60, 62]);
});

test('fitChange recovers a quadratic change exactly and reports a bump at one probe as residual spread', () => {
  const width = 16;
  const height = 12;
  const pixels = Int32Array.from({ length: 40 }, (_, i) => (i * 37) % (width * height));
  const field = (p: number, c: number) => {
    const x = ((p % width) + 0.5) / width - 0.5;
    const y = (Math.floor(p / width) + 0.5) / height - 0.5;
    return c === 0 ? 0.3 - 2 * x + x * y : -1 + 0.5 * y * y + 3 * x * x;
  };
  const change = Float32Array.from({ length: 80 }, (_, k) => field(pixels[k >> 1]!, k & 1));
  const exact = fitChange(pixels, change, 2, width, height);
  expect(Array.from(exact.coefficients, (v) => Number(v.toFixed(4)) + 0)).toEqual([
    0.3, -2, 0, 0, 1, 0, -1, 0, 0, 3, 0, 0.5,
  ]);
  expect(exact.residual).toBeLessThan(1e-5);
  change[2 * 7] = change[2 * 7]! + 0.5;
  // Least squares spreads the bump: the bumped probe keeps most of it, against class 1's ~0 residual.
  const bumped = fitChange(pixels, change, 2, width, height);
  expect(bumped.residual).toBeGreaterThan(0.3);
  expect(bumped.residual).toBeLessThan(0.5);
});

test('localResiduals: the worst probe residual in a pixel’s cell and the 8 around it, else the worst of all', () => {
  // A 24 × 2 strip in cells of 4: six cells; probes at x = 0 (cell 0, residual 0.25) and x = 20 (cell 5, 1).
  const near = localResiduals(Int32Array.from([0, 20]), Float64Array.from([0.25, 1]), 24, 2, 4);
  // Cells 0–1 see cell 0; cells 2–3 see no probe (the worst, 1); cells 4–5 see cell 5.
  const row = [...Array(8).fill(0.25), ...Array(16).fill(1)];
  expect(Array.from(near)).toEqual([...row, ...row]);
});

/** A two-class "model" whose boundary x = 12.3 + 0.6·t + sin(y/3) moves right each frame (never through a pixel centre). */
function movingBoundary(width: number, bump?: { x: number; y: number; from: number }) {
  let t = 0;
  let calls = 0;
  const margin = (p: number) => {
    const x = p % width;
    const y = Math.floor(p / width);
    const inBump = bump && t >= bump.from && Math.abs(x - bump.x) <= 2 && Math.abs(y - bump.y) <= 2;
    return inBump ? -3 : (x - 12.3 - 0.6 * t - Math.sin(y / 3)) / 4;
  };
  const source: PixelSource = async (pixels, out) => {
    calls += pixels.length;
    const logProbabilities = new Float32Array(2 * pixels.length);
    pixels.forEach((p, i) => {
      const m = margin(p);
      // log-softmax of logits (m, 0).
      const z = Math.max(m, 0) + Math.log(Math.exp(m - Math.max(m, 0)) + Math.exp(-Math.max(m, 0)));
      logProbabilities[2 * i] = m - z;
      logProbabilities[2 * i + 1] = -z;
    });
    writeDecisions(out, pixels, logProbabilities);
    return logProbabilities;
  };
  return {
    source,
    truth: (p: number) => (margin(p) > 0 ? 0 : 1),
    advance: () => t++,
    evaluated: () => calls,
  };
}

test('a moving boundary: every frame exact while far fewer pixels than the slice are evaluated', async () => {
  const [width, height] = [40, 30];
  const geometry = { width, height, feasible: new Uint8Array(width * height).fill(1) };
  const model = movingBoundary(width);
  const tracker = new TemporalTracker(geometry, { lattice: 8, kappa: 1.5 });
  await tracker.refresh(model.source);
  const perFrame: number[] = [];
  for (let frame = 1; frame <= 20; frame++) {
    model.advance();
    const before = model.evaluated();
    const { labels, evaluated } = await tracker.advance(model.source);
    expect(evaluated).toBe(model.evaluated() - before);
    perFrame.push(evaluated);
    expect(Array.from(labels)).toEqual(Array.from({ length: width * height }, (_, p) => model.truth(p)));
  }
  // The change per frame is uniform, so the fit is exact and nothing is uncertain: only the probes
  // (a 9 × 7 lattice, spacing 5, with the last row and column) are evaluated.
  expect(perFrame).toEqual(Array.from({ length: 20 }, () => 63));
});

test('a region no fit predicts (a 5 × 5 island of the other class) is found whole from the probe it covers', async () => {
  const [width, height] = [40, 30];
  const geometry = { width, height, feasible: new Uint8Array(width * height).fill(1) };
  // The island appears at frame 3 around the probe (20, 15) (spacing 5), well inside class 0: the
  // probe's surprise floods its 8 neighbours, whose surprises flood 2 pixels further.
  const model = movingBoundary(width, { x: 20, y: 15, from: 3 });
  const tracker = new TemporalTracker(geometry, { lattice: 8, kappa: 1.5 });
  await tracker.refresh(model.source);
  for (let frame = 1; frame <= 6; frame++) {
    model.advance();
    const { labels } = await tracker.advance(model.source);
    const wrong = Array.from({ length: width * height }, (_, p) => p).filter((p) => labels[p] !== model.truth(p));
    expect(wrong).toEqual([]);
  }
});
