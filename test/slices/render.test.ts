import { describe, expect, test } from 'vitest';
import { CLASS_COLOURS, colourOf, INFEASIBLE_COLOUR } from '../../slices/palette.js';
import { drawText, textWidth } from '../../slices/font.js';
import {
  imageToRgb,
  placeMarkers,
  renderLegend,
  renderRegions,
  renderThumbnails,
  thumbnailScale,
  tileImages,
  type Box,
  type Marker,
} from '../../slices/render.js';
import { encodePng } from '../../slices/png.js';
import { crc32, inflateSync } from 'node:zlib';

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
  const png = Buffer.from(encodePng(Uint8Array.from([1, 2, 3, 4, 5, 6]), 2, 1));
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString()).toBe('IHDR');
  expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([2, 1, 8, 2]);
  const idatLength = png.readUInt32BE(33);
  expect(png.subarray(37, 41).toString()).toBe('IDAT');
  expect(Array.from(inflateSync(png.subarray(41, 41 + idatLength)))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(png.subarray(-8, -4).toString()).toBe('IEND');
  // Every chunk's CRC is zlib's CRC-32 of its type and data.
  for (const [start, length] of [
    [8, 13],
    [33, idatLength],
    [png.length - 12, 0],
  ] as const) {
    expect(png.readUInt32BE(start + 8 + length)).toBe(crc32(png.subarray(start + 4, start + 8 + length)));
  }
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

describe('markers: fixed-size rings, labels inside the image and apart', () => {
  // A 64 × 64 frame at scale 4 is 256 × 256 pixels: labels at size 2 (a letter is 10 × 14, with
  // its outline 12 × 16), rings of radius 5 reaching 7 beyond the point; a label keeps
  // 5 + 2 + 2 = 9 from its ring's centre, ceil(9/√2) = 7 on the diagonals.
  const place = (markers: Marker[]) => placeMarkers(markers, 4, 256, 256);
  const inside = (b: Box) => b.x >= 0 && b.y >= 0 && b.x + b.width <= 256 && b.y + b.height <= 256;
  const apart = (p: Box, q: Box) =>
    p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;

  test.each([
    { where: 'top-left corner, centre (2, 2): below-right', x: 0, y: 0, label: { x: 9, y: 9 } },
    { where: 'top-right corner, centre (254, 2): below-left', x: 63, y: 0, label: { x: 235, y: 9 } },
    { where: 'bottom-left corner, centre (2, 254): above-right', x: 0, y: 63, label: { x: 9, y: 231 } },
    { where: 'bottom-right corner, centre (254, 254): above-left', x: 63, y: 63, label: { x: 235, y: 231 } },
    { where: 'top edge, centre (130, 2): below', x: 32, y: 0, label: { x: 124, y: 11 } },
    { where: 'left edge, centre (2, 130): right', x: 0, y: 32, label: { x: 11, y: 122 } },
    { where: 'right edge, centre (254, 130): left', x: 63, y: 32, label: { x: 233, y: 122 } },
    { where: 'bottom edge, centre (130, 254): above', x: 32, y: 63, label: { x: 124, y: 229 } },
    { where: 'middle, centre (130, 130): right', x: 32, y: 32, label: { x: 139, y: 122 } },
  ])('$where', ({ x, y, label }) => {
    const [placed] = place([{ x, y, name: 'a' }]);
    expect(placed).toMatchObject({ name: 'a', cx: x * 4 + 2, cy: y * 4 + 2, radius: 5, size: 2 });
    expect(placed!.label).toEqual({ ...label, width: 12, height: 16 });
    expect(inside(placed!.label)).toBe(true);
  });

  test('a, b, c at every corner and edge of the image: labels inside, clear of each other', () => {
    const spots = [0, 31, 63]
      .flatMap((x) => [0, 31, 63].map((y) => ({ x, y })))
      .filter((p) => p.x !== 31 || p.y !== 31);
    for (const a of spots) {
      const placed = place([
        { ...a, name: 'a' },
        { x: 31, y: 31, name: 'b' },
        { x: 63 - a.x, y: 63 - a.y, name: 'c' },
      ]);
      expect(placed.map((m) => m.name)).toEqual(['a', 'b', 'c']);
      for (const m of placed) expect(inside(m.label)).toBe(true);
      expect(apart(placed[0]!.label, placed[1]!.label) && apart(placed[1]!.label, placed[2]!.label)).toBe(true);
      expect(apart(placed[0]!.label, placed[2]!.label)).toBe(true);
    }
  });

  test('a label moves off another marker: c just right of a puts a’s label on its left', () => {
    // a at centre (42, 42); c at (66, 42): 24 apart, separate rings; a's right slot (51..63) would
    // touch c's ring box (59..73), so a takes the left slot 42 − 9 − 12 = 21.
    const [a, c] = place([
      { x: 10, y: 10, name: 'a' },
      { x: 16, y: 10, name: 'c' },
    ]);
    expect(a!.label).toEqual({ x: 21, y: 34, width: 12, height: 16 });
    expect(c!.label).toEqual({ x: 75, y: 34, width: 12, height: 16 });
  });

  test.each([
    { what: 'a and b in one pixel', b: { x: 10, y: 10 }, names: ['a,b', 'c'], centre: [42, 42], radius: 5 },
    {
      what: 'a and b one pixel apart (4 output pixels)',
      b: { x: 10, y: 11 },
      names: ['a,b', 'c'],
      centre: [42, 44],
      radius: 7,
    },
    {
      what: 'a and b 12 output pixels apart: rings would touch',
      b: { x: 13, y: 10 },
      names: ['a,b', 'c'],
      centre: [48, 42],
      radius: 11,
    },
    {
      what: 'a and b 16 output pixels apart: separate',
      b: { x: 14, y: 10 },
      names: ['a', 'b', 'c'],
      centre: [42, 42],
      radius: 5,
    },
  ])('$what → $names', ({ b, names, centre, radius }) => {
    const placed = place([
      { x: 10, y: 10, name: 'a' },
      { ...b, name: 'b' },
      { x: 40, y: 40, name: 'c' },
    ]);
    expect(placed.map((m) => m.name)).toEqual(names);
    expect([placed[0]!.cx, placed[0]!.cy, placed[0]!.radius]).toEqual([...centre, radius]);
  });

  test('merged names keep the order a, b, c; three points in one pixel are "a,b,c"', () => {
    const names = (points: [number, number][]) =>
      place(points.map(([x, y], k) => ({ x, y, name: 'abc'[k]! }))).map((m) => m.name);
    expect(
      names([
        [10, 10],
        [40, 40],
        [10, 10],
      ]),
    ).toEqual(['a,c', 'b']);
    expect(
      names([
        [5, 5],
        [5, 5],
        [5, 5],
      ]),
    ).toEqual(['a,b,c']);
  });

  test('drawn on the image: the ring is white on its radius, black just outside, the label white', () => {
    const labels = new Uint8Array(64 * 64).fill(0);
    const image = renderRegions(labels, new Uint8Array(64 * 64), 64, 64, {
      scale: 4,
      markers: [{ x: 32, y: 32, name: 'a' }],
    });
    const at = (x: number, y: number) => Array.from(image.rgb.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 3));
    // Centre (130, 130), radius 5: pixel (135, 130) has its centre 5.5 away, (137, 130) 7.5 away.
    expect(at(135, 130)).toEqual([255, 255, 255]);
    expect(at(136, 130)).toEqual([0, 0, 0]);
    expect(at(130, 130)).toEqual([...CLASS_COLOURS[0]!]);
    // The label's box is (139, 122) 12 × 16, the letter from (140, 123) at size 2. The top row of
    // 'A' is 0b01110: blank at 140–141, white from 142; the outline makes 141 black, 140 untouched.
    expect(at(140, 123)).toEqual([...CLASS_COLOURS[0]!]);
    expect(at(141, 123)).toEqual([0, 0, 0]);
    expect(at(142, 123)).toEqual([255, 255, 255]);
  });
});

describe('thumbnails of the points beside a slice', () => {
  test('greyscale values become grey RGB, each image pixel a scale × scale block', () => {
    const rgb = imageToRgb(Float32Array.from([0, 0.5, 1, 0.25]), [2, 2, 1], 2);
    expect([rgb.width, rgb.height]).toEqual([4, 4]);
    const at = (x: number, y: number) => Array.from(rgb.rgb.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect([at(0, 0), at(1, 1), at(2, 0), at(3, 1), at(0, 2), at(3, 3)]).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [128, 128, 128],
      [128, 128, 128],
      [255, 255, 255],
      [64, 64, 64],
    ]);
  });

  test('RGB values keep their channels; values outside [0,1] are clamped', () => {
    const rgb = imageToRgb(Float32Array.from([0.2, 0.4, 0.6, -1, 2, 1]), [1, 2, 3], 1);
    expect(Array.from(rgb.rgb)).toEqual([51, 102, 153, 0, 255, 255]);
  });

  test('a column: each name, then the image in a grey frame, 6 pixels between entries', () => {
    const image = Float32Array.from([0, 0.5, 1, 0.25]);
    const column = renderThumbnails(
      ['a', 'b', 'c'].map((name) => ({ name, image, shape: [2, 2, 1] as const })),
      2,
    );
    // Width: the name 'a' at size 2 is 10 wide, the framed image 2·2 + 2 = 6. Each entry: name 14,
    // gap 2, framed image 6 = 22; three entries and two gaps of 6 = 78.
    expect([column.width, column.height]).toEqual([10, 78]);
    const at = (x: number, y: number) =>
      Array.from(column.rgb.subarray((y * column.width + x) * 3, (y * column.width + x) * 3 + 3));
    // Entry b starts at 28: its frame at 28 + 16 = 44, its image from (1, 45).
    expect(at(0, 44)).toEqual([160, 160, 160]);
    expect([at(1, 45), at(3, 45), at(1, 47), at(4, 48)]).toEqual([
      [0, 0, 0],
      [128, 128, 128],
      [255, 255, 255],
      [64, 64, 64],
    ]);
    expect(at(9, 45)).toEqual([255, 255, 255]);
  });

  test.each([
    { height: 256, expected: 2, why: '(256 − 66) / 84 = 2.3' },
    { height: 512, expected: 4, why: '(512 − 66) / 84 = 5.3, at most 4' },
    { height: 100, expected: 1, why: '(100 − 66) / 84 < 1, at least 1' },
  ])('three 28-pixel images beside $height pixels: scale $expected, $why', ({ height, expected }) => {
    expect(thumbnailScale(28, 3, height)).toBe(expected);
  });
});
