import { expect, test } from 'vitest';
import { CLASS_COLOURS, colourOf, INFEASIBLE_COLOUR } from '../../slices/palette.js';
import { drawText, textWidth } from '../../slices/font.js';
import { renderLegend, renderRegions, tileImages } from '../../slices/render.js';
import { encodePng } from '../../videos/png.js';
import { inflateSync } from 'node:zlib';

test('the palette: ten fixed, distinct class colours and grey for infeasible', () => {
  expect(CLASS_COLOURS).toHaveLength(10);
  expect(new Set(CLASS_COLOURS.map((c) => c.join())).size).toBe(10);
  expect(colourOf(255)).toEqual([128, 128, 128]);
  expect(colourOf(3)).toEqual([214, 39, 40]);
});

test('regions are upscaled without smoothing, grey outside H, shaded by confidence', () => {
  const labels = Uint8Array.from([0, 255, 2, 2]);
  const confidence = Uint8Array.from([255, 0, 0, 255]);
  const image = renderRegions(labels, confidence, 2, 2, { scale: 2, shade: true });
  expect([image.width, image.height]).toEqual([4, 4]);
  const at = (x: number, y: number) => Array.from(image.rgb.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
  expect(at(0, 0)).toEqual([...CLASS_COLOURS[0]!]);
  expect(at(1, 1)).toEqual([...CLASS_COLOURS[0]!]);
  expect(at(2, 0)).toEqual([...INFEASIBLE_COLOUR]);
  // Confidence 0 keeps 40% of the colour: (44, 160, 44) → (18, 64, 18).
  expect(at(0, 2)).toEqual([18, 64, 18]);
  expect(at(3, 3)).toEqual([...CLASS_COLOURS[2]!]);
});

test('tiles keep each image intact between gaps', () => {
  const red = { width: 1, height: 1, rgb: Uint8Array.from([255, 0, 0]) };
  const blue = { width: 1, height: 1, rgb: Uint8Array.from([0, 0, 255]) };
  const grid = tileImages([red, blue, red], 2, 1, [0, 0, 0]);
  expect([grid.width, grid.height]).toEqual([5, 5]);
  expect(Array.from(grid.rgb.subarray((1 * 5 + 3) * 3, (1 * 5 + 3) * 3 + 3))).toEqual([0, 0, 255]);
  expect(Array.from(grid.rgb.subarray((3 * 5 + 1) * 3, (3 * 5 + 1) * 3 + 3))).toEqual([255, 0, 0]);
});

test('PNG: signature, IHDR with size and truecolour, and the raw rows inside IDAT', () => {
  const png = encodePng(Uint8Array.from([1, 2, 3, 4, 5, 6]), 2, 1);
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString()).toBe('IHDR');
  expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([2, 1, 8, 2]);
  const idatLength = png.readUInt32BE(33);
  expect(png.subarray(37, 41).toString()).toBe('IDAT');
  expect(Array.from(inflateSync(png.subarray(41, 41 + idatLength)))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(png.subarray(-8, -4).toString()).toBe('IEND');
});

test('the 5×7 font draws "L" as a vertical stroke and a foot, scaled', () => {
  const rgb = new Uint8Array(12 * 14 * 3);
  drawText(rgb, 12, 0, 0, 'l', [255, 255, 255], 2);
  const on = (x: number, y: number) => rgb[(y * 12 + x) * 3] === 255;
  expect(on(0, 0) && on(1, 1) && on(0, 12)).toBe(true);
  expect(on(2, 0)).toBe(false);
  expect(on(9, 13) && on(8, 12)).toBe(true);
  expect(textWidth('ab', 2)).toBe(22);
});

test('the legend lists every class with its colour, and grey for outside H', () => {
  const legend = renderLegend(['zero', 'one'], 1);
  // Three rows of 11 pixels plus 4 of margin.
  expect(legend.height).toBe(37);
  const at = (x: number, y: number) =>
    Array.from(legend.rgb.subarray((y * legend.width + x) * 3, (y * legend.width + x) * 3 + 3));
  expect(at(5, 5)).toEqual([...CLASS_COLOURS[0]!]);
  expect(at(5, 16)).toEqual([...CLASS_COLOURS[1]!]);
  expect(at(5, 27)).toEqual([...INFEASIBLE_COLOUR]);
});
