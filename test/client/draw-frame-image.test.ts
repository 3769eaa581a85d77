import { describe, expect, test } from 'vitest';
import { cssColour, paintRegions, shadeFactor } from '../../client/draw/frame-image.js';
import { CLASS_COLOURS, paletteColours, type Rgb } from '../../slices/palette.js';

/** A hand-made 3×2 frame: classes 0, 1, outside H / 2, 9, 0; confidences 255, 0, 128 / 255, 255, 128. */
const labels = Uint8Array.from([0, 1, 255, 2, 9, 0]);
const confidence = Uint8Array.from([255, 0, 128, 255, 255, 128]);

const paint = (colours: readonly Rgb[], shading: boolean) =>
  Array.from(paintRegions(new Uint8ClampedArray(24), labels, confidence, colours, shading));

describe('paintRegions', () => {
  test('unshaded: the palette colour of each label, grey for 255, opaque', () => {
    expect(paint(CLASS_COLOURS, false)).toEqual([
      ...[31, 119, 180, 255],
      ...[255, 127, 14, 255],
      ...[128, 128, 128, 255],
      ...[44, 160, 44, 255],
      ...[250, 220, 90, 255],
      ...[31, 119, 180, 255],
    ]);
  });

  test('shaded: colour × (0.4 + 0.6·c/255) rounded; grey is never shaded', () => {
    // Confidence 0: ×0.4, so 255·0.4 = 102, 127·0.4 = 50.8 → 51, 14·0.4 = 5.6 → 6.
    // Confidence 128: ×(0.4 + 76.8/255) = ×0.701176…, so 31 → 21.74 → 22, 119 → 83.44 → 83, 180 → 126.21 → 126.
    expect(paint(CLASS_COLOURS, true)).toEqual([
      ...[31, 119, 180, 255],
      ...[102, 51, 6, 255],
      ...[128, 128, 128, 255],
      ...[44, 160, 44, 255],
      ...[250, 220, 90, 255],
      ...[22, 83, 126, 255],
    ]);
  });

  test('the colour-blind palette: its colours, the same grey', () => {
    expect(paint(paletteColours('colour-blind'), false).slice(0, 12)).toEqual([
      ...[51, 34, 136, 255],
      ...[240, 228, 66, 255],
      ...[128, 128, 128, 255],
    ]);
  });

  test('a label the palette has no colour for is grey', () => {
    expect(paint([[10, 20, 30]], false).slice(4, 8)).toEqual([128, 128, 128, 255]);
  });

  test('a buffer of the wrong size throws, naming the sizes', () => {
    expect(() => paintRegions(new Uint8ClampedArray(20), labels, confidence, CLASS_COLOURS, false)).toThrow(
      'expected 6 confidences and 24 RGBA bytes, received 6 and 20',
    );
  });
});

test('shadeFactor: 0.4 at confidence 0, 1 at 255, 0.7 at 127.5', () => {
  expect(shadeFactor(0)).toBe(0.4);
  expect(shadeFactor(255)).toBe(1);
  expect(shadeFactor(127.5)).toBeCloseTo(0.7, 12);
});

test('cssColour', () => {
  expect(cssColour([31, 119, 180])).toBe('rgb(31 119 180)');
});
