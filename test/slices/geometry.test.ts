import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { imageAt } from '../../trainer/datasets/dataset.js';
import { loadDataset } from '../../trainer/datasets/load.js';
import { createRng } from '../../core/rng.js';
import { SliceDegenerateError, SliceInputError } from '../../slices/errors.js';
import {
  pixelToPlane,
  pixelToPoint,
  pointToPixel,
  pointToPlane,
  slicePointPixel,
  sliceGeometry,
  type SliceGeometry,
} from '../../slices/geometry.js';
import { greyImage } from '../../slices/points.js';

const r2 = Math.SQRT2;
const r6 = Math.sqrt(6);

/** The smallest slack of a point's 2d constraints 0 ≤ x_i ≤ 1 (negative = infeasible). */
function slack(g: SliceGeometry, s: number, t: number): number {
  let min = Infinity;
  for (let i = 0; i < g.d; i++) {
    const x = g.origin[i]! + s * g.u[i]! + t * g.w[i]!;
    min = Math.min(min, x, 1 - x);
  }
  return min;
}

/** Checks the mask pixel by pixel against the 2d constraints; pixels within 1e-9 of the boundary may go either way. */
function expectMaskMatchesBruteForce(g: SliceGeometry): void {
  let mismatches = 0;
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const [s, t] = pixelToPlane(g, x, y);
      const m = slack(g, s, t);
      if (Math.abs(m) < 1e-9) continue;
      if ((m > 0 ? 1 : 0) !== g.feasible[y * g.width + x]) mismatches++;
    }
  }
  expect(mismatches).toBe(0);
}

/** Every vertex satisfies all constraints to 1e-9 and lies on at least one. */
function expectVerticesOnBoundary(g: SliceGeometry): void {
  for (const [s, t] of g.polygon) {
    const m = slack(g, s, t);
    expect(m).toBeGreaterThan(-1e-9);
    expect(m).toBeLessThan(1e-9);
  }
}

describe('hand-derived slices', () => {
  test('d = 3, through the centre spanned by two axes: the unit square around a', () => {
    const g = sliceGeometry([0.5, 0.5, 0.5], [0.75, 0.5, 0.5], [0.5, 0.75, 0.5], { resolution: 4 });
    expect(Array.from(g.u)).toEqual([1, 0, 0]);
    expect(Array.from(g.w)).toEqual([0, 1, 0]);
    expect(g.rect).toEqual({ sMin: -0.5, sMax: 0.5, tMin: -0.5, tMax: 0.5 });
    expect([g.width, g.height, g.pixelSize]).toEqual([4, 4, 0.25]);
    expect(g.feasibleCount).toBe(16);
    expect(g.polygon).toHaveLength(4);
    expectVerticesOnBoundary(g);
  });

  test('d = 3, the plane x + y + z = 1.5: a regular hexagon, rectangle ±1/√2 by ±1.5/√6', () => {
    // u = (1, 0, −1)/√2, w = (−1, 2, −1)/√6; the vertices are the permutations of (1, ½, 0).
    const g = sliceGeometry([0.5, 0.5, 0.5], [1, 0.5, 0], [0.5, 1, 0], { resolution: 100 });
    expect(g.u[0]).toBeCloseTo(1 / r2, 12);
    expect(g.w[1]).toBeCloseTo(2 / r6, 12);
    expect(g.polygon).toHaveLength(6);
    for (const [s, t] of g.polygon) expect(Math.hypot(s, t)).toBeCloseTo(1 / r2, 12);
    expect(g.rect.sMin).toBeCloseTo(-1 / r2, 12);
    expect(g.rect.sMax).toBeCloseTo(1 / r2, 12);
    expect(g.rect.tMin).toBeCloseTo(-1.5 / r6, 12);
    expect(g.rect.tMax).toBeCloseTo(1.5 / r6, 12);
    // Pixel side √2/100; the height 2·1.5/√6 = 1.2247 needs ceil(86.6) = 87 rows.
    expect([g.width, g.height]).toEqual([100, 87]);
    // Area of the hexagon (3√3/2)·R² with R² = ½, in pixels of area 2/10⁴: ≈ 6495.
    expect(Math.abs(g.feasibleCount - (3 * Math.sqrt(3)) / 4 / 2e-4)).toBeLessThan(100);
    expectVerticesOnBoundary(g);
    expectMaskMatchesBruteForce(g);
  });

  test('a on the face x = 0: the plane z = 0.6 gives s ∈ [0, 1], t ∈ [−0.3, 0.7]', () => {
    const g = sliceGeometry([0, 0.3, 0.6], [0.5, 0.3, 0.6], [0, 0.9, 0.6], { resolution: 10 });
    expect(g.rect.sMin).toBeCloseTo(0, 12);
    expect(g.rect.sMax).toBeCloseTo(1, 12);
    expect(g.rect.tMin).toBeCloseTo(-0.3, 12);
    expect(g.rect.tMax).toBeCloseTo(0.7, 12);
    expect(g.feasibleCount).toBe(100);
    expectVerticesOnBoundary(g);
  });

  test('pixels map to points and back: row 0 at tMax, column 0 at sMin', () => {
    const g = sliceGeometry([0.5, 0.5, 0.5], [0.75, 0.5, 0.5], [0.5, 0.75, 0.5], { resolution: 4 });
    expect(pixelToPlane(g, 0, 0)).toEqual([-0.375, 0.375]);
    expect(Array.from(pixelToPoint(g, 3, 0))).toEqual([0.875, 0.875, 0.5]);
    expect(pointToPixel(g, [0.875, 0.875, 0.5])).toEqual({ x: 3, y: 0 });
    expect(pointToPlane(g, [0.75, 0.5, 0.5])).toEqual([0.25, 0]);
    expect(pointToPixel(g, [0.5, 0.5, 0.5])).toEqual({ x: 2, y: 2 });
  });
});

describe('points on the edges and vertices of the slice rectangle get a pixel', () => {
  test.each([
    { where: 'vertex (sMin, tMin)', point: [0, 0, 0.5], expected: { x: 0, y: 3 } },
    { where: 'vertex (sMax, tMin)', point: [1, 0, 0.5], expected: { x: 3, y: 3 } },
    { where: 'vertex (sMin, tMax)', point: [0, 1, 0.5], expected: { x: 0, y: 0 } },
    { where: 'vertex (sMax, tMax)', point: [1, 1, 0.5], expected: { x: 3, y: 0 } },
    { where: 'bottom edge, s = 0.125', point: [0.625, 0, 0.5], expected: { x: 2, y: 3 } },
    { where: 'top edge, s = 0.125', point: [0.625, 1, 0.5], expected: { x: 2, y: 0 } },
    { where: 'left edge, t = −0.125', point: [0, 0.375, 0.5], expected: { x: 0, y: 2 } },
    { where: 'right edge, t = −0.125', point: [1, 0.375, 0.5], expected: { x: 3, y: 2 } },
  ])('square: the face z = ½ at resolution 4, $where', ({ point, expected }) => {
    const g = sliceGeometry([0.5, 0.5, 0.5], [0.75, 0.5, 0.5], [0.5, 0.75, 0.5], { resolution: 4 });
    expect(pointToPixel(g, point)).toEqual(expected);
  });

  // The plane x + y = 1: u = (1, −1, 0)/√2, w = (0, 0, 1), rectangle s ∈ ±1/√2, t ∈ ±½. At
  // resolution 4 the pixels are √2/4 wide, 4 columns span s exactly, and ceil(2√2) = 3 rows are
  // centred on t = 0 from tTop = 3√2/8 ≈ 0.530: t = ½ is in row 0, t = 0 in row 1, t = −½ in row 2.
  test.each([
    { where: 'vertex (sMax, tMin)', point: [1, 0, 0], expected: { x: 3, y: 2 } },
    { where: 'vertex (sMin, tMin)', point: [0, 1, 0], expected: { x: 0, y: 2 } },
    { where: 'vertex (sMax, tMax)', point: [1, 0, 1], expected: { x: 3, y: 0 } },
    { where: 'vertex (sMin, tMax)', point: [0, 1, 1], expected: { x: 0, y: 0 } },
    { where: 'right edge s = 1/√2, t = 0', point: [1, 0, 0.5], expected: { x: 3, y: 1 } },
    { where: 'left edge s = −1/√2, t = 0', point: [0, 1, 0.5], expected: { x: 0, y: 1 } },
    { where: 'top edge t = ½, s = √2/8', point: [0.625, 0.375, 1], expected: { x: 2, y: 0 } },
    { where: 'bottom edge t = −½, s = √2/8', point: [0.625, 0.375, 0], expected: { x: 2, y: 2 } },
  ])('non-square: the plane x + y = 1 at resolution 4, $where', ({ point, expected }) => {
    const g = sliceGeometry([0.5, 0.5, 0.5], [1, 0, 0.5], [0.5, 0.5, 1], { resolution: 4 });
    expect([g.width, g.height]).toEqual([4, 3]);
    expect(pointToPixel(g, point)).toEqual(expected);
  });

  test('a point off the grid gets no pixel, and as a point of the slice a named error', () => {
    const g = sliceGeometry([0.5, 0.5, 0.5], [0.75, 0.5, 0.5], [0.5, 0.75, 0.5], { resolution: 4 });
    expect(pointToPixel(g, [1.5, 0.5, 0.5])).toBeUndefined();
    expect(() => slicePointPixel(g, 'b', [1.5, 0.5, 0.5])).toThrow(SliceInputError);
    expect(() => slicePointPixel(g, 'b', [1.5, 0.5, 0.5])).toThrow(
      "point b projects to (s, t) = (1, 0), outside the slice's rectangle [-0.5, 0.5] × [-0.5, 0.5]; the points of a slice must lie in [0,1]^d",
    );
  });

  // MNIST digits are 0 on their background and grey is ½ there, so moving from the line through a
  // and b away from c makes background pixels negative: a and b lie on the rectangle's bottom edge
  // t = tMin (issue 10: both got no pixel). For test:11, test:25, test:38, b is the vertex at sMax.
  const mnist = loadDataset('mnist');
  const digit = (index: number) => imageAt(mnist, mnist.test, index);
  test.each([
    {
      points: 'a = test:3, b = test:7, c = grey',
      a: 3,
      b: 7,
      c: 'grey',
      resolution: 64,
      bottom: ['a', 'b'],
      right: [],
    },
    {
      points: 'a = test:3, b = test:7, c = grey',
      a: 3,
      b: 7,
      c: 'grey',
      resolution: 128,
      bottom: ['a', 'b'],
      right: [],
    },
    {
      points: 'a = test:11, b = test:25, c = test:38',
      a: 11,
      b: 25,
      c: 38,
      resolution: 64,
      bottom: ['b'],
      right: ['b'],
    },
    {
      points: 'a = test:11, b = test:25, c = test:38',
      a: 11,
      b: 25,
      c: 38,
      resolution: 128,
      bottom: ['b'],
      right: ['b'],
    },
  ] as const)('$points at resolution $resolution: all three get a pixel', ({ a, b, c, resolution, bottom, right }) => {
    const points = { a: digit(a), b: digit(b), c: c === 'grey' ? greyImage(784) : digit(c) };
    const g = sliceGeometry(points.a, points.b, points.c, { resolution });
    const pixels = {
      a: slicePointPixel(g, 'a', points.a),
      b: slicePointPixel(g, 'b', points.b),
      c: slicePointPixel(g, 'c', points.c),
    };
    for (const name of bottom) expect(pixels[name].y).toBe(g.height - 1);
    for (const name of right) expect(pixels[name].x).toBe(g.width - 1);
  });
});

describe('high-dimensional slices checked by brute force', () => {
  test.each([
    { d: 50, seed: 1, resolution: 96 },
    { d: 784, seed: 2, resolution: 128 },
    { d: 3072, seed: 3, resolution: 200 },
  ])('random a, b, c in [0,1]^$d', ({ d, seed, resolution }) => {
    const rng = createRng(seed);
    const point = () => Float64Array.from({ length: d }, () => rng.next());
    const [a, b, c] = [point(), point(), point()];
    const g = sliceGeometry(a, b, c, { resolution });
    expect(Math.max(g.width, g.height)).toBe(resolution);
    expect(g.polygon.length).toBeGreaterThanOrEqual(3);
    expectVerticesOnBoundary(g);
    expectMaskMatchesBruteForce(g);
    // a, b and c are in H and on the plane: inside the polygon, and inside the grid.
    for (const p of [a, b, c]) {
      const [s, t] = pointToPlane(g, p);
      expect(slack(g, s, t)).toBeGreaterThan(-1e-9);
      expect(pointToPixel(g, p)).toBeDefined();
    }
  });

  test('v sets the s axis: v = c − a puts c on the s axis', () => {
    const a = [0.2, 0.3, 0.4, 0.5];
    const b = [0.6, 0.1, 0.4, 0.9];
    const c = [0.3, 0.8, 0.1, 0.5];
    const g = sliceGeometry(a, b, c, { v: c.map((x, i) => x - a[i]!) });
    const [, t] = pointToPlane(g, c);
    expect(t).toBeCloseTo(0, 12);
  });
});

describe('bad points get a clear error', () => {
  test.each([
    {
      name: 'a and b coincide',
      points: [
        [0.2, 0.3],
        [0.2, 0.3],
        [0.5, 0.5],
      ],
      error: SliceDegenerateError,
      message: 'points a and b coincide; a slice needs three distinct points',
    },
    {
      name: 'collinear',
      points: [
        [0.1, 0.1, 0.1],
        [0.2, 0.2, 0.2],
        [0.4, 0.4, 0.4],
      ],
      error: SliceDegenerateError,
      message: 'points a, b and c are collinear; choose a third point off the line through a and b',
    },
    {
      name: 'out of range',
      points: [
        [0.1, 0.1],
        [0.2, 1.2],
        [0.4, 0.3],
      ],
      error: SliceInputError,
      message: 'point b has value 1.2 at index 1; points must lie in [0,1]^d (pixels scaled to [0,1])',
    },
    {
      name: 'different dimensions',
      points: [
        [0.1, 0.1],
        [0.2, 0.2, 0.3],
        [0.4, 0.3],
      ],
      error: SliceInputError,
      message: 'point b has 3 values but point a has 2',
    },
  ])('$name', ({ points, error, message }) => {
    const [a, b, c] = points as [number[], number[], number[]];
    expect(() => sliceGeometry(a, b, c)).toThrow(error);
    expect(() => sliceGeometry(a, b, c)).toThrow(message);
  });

  test('a v outside the plane', () => {
    expect(() => sliceGeometry([0.5, 0.5, 0.5], [0.75, 0.5, 0.5], [0.5, 0.75, 0.5], { v: [0, 0, 1] })).toThrow(
      'orientation vector v does not lie in the plane through a, b and c',
    );
  });
});

test("import { sliceGeometry } from 'slicewatch' works from plain Node ESM after a build", () => {
  execFileSync('npx', ['tsc', '-b']);
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { sliceGeometry } from 'slicewatch'; const g = sliceGeometry([0.5,0.5,0.5],[0.75,0.5,0.5],[0.5,0.75,0.5],{resolution:4}); console.log(JSON.stringify([g.rect, g.width, g.height, Array.from(g.feasible).length, g.polygon.length]))",
    ],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(out)).toEqual([{ sMin: -0.5, sMax: 0.5, tMin: -0.5, tMax: 0.5 }, 4, 4, 16, 4]);
});
