import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import { colourOf, INFEASIBLE_COLOUR } from './palette.js';

/** An RGB image: width × height × 3 bytes, row-major, top row first. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A marked point: pixel coordinates in the unscaled frame and a one-letter name. */
export interface Marker {
  x: number;
  y: number;
  name: string;
}

export interface RenderOptions {
  /** Each frame pixel becomes scale × scale output pixels, without smoothing (default 4). */
  scale?: number;
  /** Darken low-confidence pixels: colour × (0.4 + 0.6 · p) with p the top-class probability. */
  shade?: boolean;
  markers?: Marker[];
}

/**
 * The picture of a frame's decision regions: one colour per class, grey outside H, optionally
 * shaded by confidence, with a, b, c marked by white rings with a black border.
 */
export function renderRegions(
  labels: Uint8Array,
  confidence: Uint8Array,
  width: number,
  height: number,
  options: RenderOptions = {},
): RgbImage {
  const scale = options.scale ?? 4;
  const out: RgbImage = {
    width: width * scale,
    height: height * scale,
    rgb: new Uint8Array(width * height * scale * scale * 3),
  };
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const p = Math.floor(y / scale) * width + Math.floor(x / scale);
      const colour = colourOf(labels[p]!);
      const k = options.shade && colour !== INFEASIBLE_COLOUR ? 0.4 + (0.6 * confidence[p]!) / 255 : 1;
      const o = (y * out.width + x) * 3;
      out.rgb[o] = Math.round(colour[0] * k);
      out.rgb[o + 1] = Math.round(colour[1] * k);
      out.rgb[o + 2] = Math.round(colour[2] * k);
    }
  }
  for (const marker of options.markers ?? []) {
    const cx = (marker.x + 0.5) * scale;
    const cy = (marker.y + 0.5) * scale;
    const radius = Math.max(3, scale * 1.5);
    drawRing(out, cx, cy, radius);
    // The name in white with a black shadow, readable on any class colour, kept inside the image.
    const size = scale >= 4 ? 2 : 1;
    const tx = Math.min(Math.round(cx + radius + 2), out.width - textWidth(marker.name, size) - 1);
    const ty = Math.max(0, Math.min(Math.round(cy - (GLYPH_HEIGHT * size) / 2), out.height - GLYPH_HEIGHT * size - 1));
    drawText(out.rgb, out.width, tx + 1, ty + 1, marker.name, [0, 0, 0], size);
    drawText(out.rgb, out.width, tx, ty, marker.name, [255, 255, 255], size);
  }
  return out;
}

function setPixel(image: RgbImage, x: number, y: number, colour: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  image.rgb.set(colour, (y * image.width + x) * 3);
}

/** A ring of the given radius: white, bordered in black inside and out so it shows on any colour. */
function drawRing(image: RgbImage, cx: number, cy: number, radius: number): void {
  const reach = Math.ceil(radius + 2);
  for (let y = Math.floor(cy - reach); y <= cy + reach; y++) {
    for (let x = Math.floor(cx - reach); x <= cx + reach; x++) {
      const r = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (Math.abs(r - radius) <= 1) setPixel(image, x, y, [255, 255, 255]);
      else if (Math.abs(r - radius) <= 2) setPixel(image, x, y, [0, 0, 0]);
    }
  }
}

/** Tiles equally sized images into a grid of `columns`, separated by `gap` pixels of `background`. */
export function tileImages(
  images: RgbImage[],
  columns: number,
  gap = 4,
  background: readonly [number, number, number] = [255, 255, 255],
): RgbImage {
  const w = images[0]!.width;
  const h = images[0]!.height;
  const rows = Math.ceil(images.length / columns);
  const out: RgbImage = {
    width: columns * w + (columns + 1) * gap,
    height: rows * h + (rows + 1) * gap,
    rgb: new Uint8Array(0),
  };
  out.rgb = new Uint8Array(out.width * out.height * 3);
  for (let p = 0; p < out.width * out.height; p++) out.rgb.set(background, p * 3);
  images.forEach((image, k) => {
    const x0 = gap + (k % columns) * (w + gap);
    const y0 = gap + Math.floor(k / columns) * (h + gap);
    for (let y = 0; y < h; y++)
      out.rgb.set(image.rgb.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * out.width + x0) * 3);
  });
  return out;
}

/**
 * A legend: one row per class with its colour swatch and name, and a last row for the grey of
 * points outside the hypercube, on white; `scale` enlarges the 5×7 font.
 */
export function renderLegend(classNames: string[], scale = 2): RgbImage {
  const rows = [
    ...classNames.map((name, k) => ({ name: name === String(k) ? name : `${k} ${name}`, colour: colourOf(k) })),
    { name: 'outside H', colour: INFEASIBLE_COLOUR },
  ];
  const line = (GLYPH_HEIGHT + 4) * scale;
  const swatch = GLYPH_HEIGHT * scale;
  const width = 4 * scale + swatch + 3 * scale + Math.max(...rows.map((r) => textWidth(r.name, scale))) + 4 * scale;
  const height = rows.length * line + 4 * scale;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((row, k) => {
    const top = 2 * scale + k * line + 2 * scale;
    for (let y = top; y < top + swatch; y++)
      for (let x = 4 * scale; x < 4 * scale + swatch; x++) rgb.set(row.colour, (y * width + x) * 3);
    drawText(rgb, width, 4 * scale + swatch + 3 * scale, top, row.name, [0, 0, 0], scale);
  });
  return { width, height, rgb };
}

/** Places `right` to the right of `left`, top-aligned, on white. */
export function besideImages(left: RgbImage, right: RgbImage): RgbImage {
  const width = left.width + right.width;
  const height = Math.max(left.height, right.height);
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < left.height; y++)
    rgb.set(left.rgb.subarray(y * left.width * 3, (y + 1) * left.width * 3), y * width * 3);
  for (let y = 0; y < right.height; y++)
    rgb.set(right.rgb.subarray(y * right.width * 3, (y + 1) * right.width * 3), (y * width + left.width) * 3);
  return { width, height, rgb };
}
