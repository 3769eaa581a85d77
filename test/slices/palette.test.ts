import { expect, test } from 'vitest';
import {
  CLASS_COLOURS,
  colourOf,
  INFEASIBLE_COLOUR,
  paletteColours,
  type PaletteName,
  type Rgb,
} from '../../slices/palette.js';

/** Machado, Oliveira and Fernandes (2009) at severity 1, on linear RGB. */
const VISION = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
type Vision = keyof typeof VISION;

/** A colour as someone with `vision` sees it, in CIELAB (D65): sRGB → linear → simulated → XYZ → L*a*b*. */
function seenLab(rgb: Rgb, vision: Vision): [number, number, number] {
  const linear = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = VISION[vision].map((row) =>
    Math.min(1, Math.max(0, row[0]! * linear[0]! + row[1]! * linear[1]! + row[2]! * linear[2]!)),
  ) as [number, number, number];
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** The smallest ΔE*ab (CIE 1976) between two of the palette's colours or one and the grey outside H. */
function closestPair(palette: PaletteName, vision: Vision): number {
  const colours = [...paletteColours(palette), INFEASIBLE_COLOUR].map((c) => seenLab(c, vision));
  let closest = Infinity;
  colours.forEach((p, i) =>
    colours
      .slice(i + 1)
      .forEach((q) => (closest = Math.min(closest, Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])))),
  );
  return closest;
}

test('white and black are L* 100 and 0 in the colour space the test measures in', () => {
  expect(seenLab([255, 255, 255], 'normal')[0]).toBeCloseTo(100, 3);
  expect(seenLab([0, 0, 0], 'deuteranopia')).toEqual([0, 0, 0]);
});

test('the default palette is unchanged; the colour-blind one shares no colour with it, and both keep the grey', () => {
  expect(paletteColours('default')).toBe(CLASS_COLOURS);
  expect(colourOf(3)).toEqual([214, 39, 40]);
  expect(colourOf(0, 'colour-blind')).toEqual([51, 34, 136]);
  const defaults = new Set(CLASS_COLOURS.map((c) => c.join()));
  expect(paletteColours('colour-blind')).toHaveLength(10);
  expect(paletteColours('colour-blind').filter((c) => defaults.has(c.join()))).toEqual([]);
  expect(colourOf(255, 'colour-blind')).toBe(INFEASIBLE_COLOUR);
  expect(colourOf(10, 'colour-blind')).toBe(INFEASIBLE_COLOUR);
});

test.each(['normal', 'protanopia', 'deuteranopia', 'tritanopia'] as const)(
  'under %s every two colour-blind colours (and the grey) stay at least ΔE 18 apart',
  (vision) => {
    expect(closestPair('colour-blind', vision)).toBeGreaterThanOrEqual(18);
  },
);

test('the default palette does not: under deuteranopia two of its colours come within ΔE 8', () => {
  expect(closestPair('default', 'deuteranopia')).toBeLessThan(8);
});
