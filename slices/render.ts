import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';
import { colourOf, INFEASIBLE_COLOUR, type PaletteName } from './palette.js';

/** An RGB image: width × height × 3 bytes, row-major, top row first. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** A marked point: pixel coordinates in the unscaled frame and its name, such as 'a'. */
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
  /** Points to mark; drawn on the upscaled image at a fixed size, see placeMarkers. */
  markers?: Marker[];
  /** The class colours (default `default`). */
  palette?: PaletteName;
}

/**
 * The picture of a frame's decision regions: one colour per class, grey outside H, optionally
 * shaded by confidence, with a, b, c marked by rings and labels placed by placeMarkers.
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
      const colour = colourOf(labels[p]!, options.palette);
      const k = options.shade && colour !== INFEASIBLE_COLOUR ? 0.4 + (0.6 * confidence[p]!) / 255 : 1;
      const o = (y * out.width + x) * 3;
      out.rgb[o] = Math.round(colour[0] * k);
      out.rgb[o + 1] = Math.round(colour[1] * k);
      out.rgb[o + 2] = Math.round(colour[2] * k);
    }
  }
  drawMarkers(out, placeMarkers(options.markers ?? [], scale, out.width, out.height));
  return out;
}

/** An axis-aligned box in output pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A marker as drawn: its ring (centre and radius in output pixels) and its label. */
export interface PlacedMarker {
  /** The marked points' names joined by commas, such as 'a' or 'a,b'. */
  name: string;
  cx: number;
  cy: number;
  radius: number;
  /** Font scale of the label: 2 on images at least 96 pixels on each side, else 1. */
  size: number;
  /** The label's text box, inside the image, its 1-pixel outline included. */
  label: Box;
}

/** Ring radius of a single marker in output pixels, for label size 1 and 2. */
const RING_RADIUS = [0, 3, 5] as const;
/** Width of a ring's black border beyond its radius, and the gap between a ring and its label. */
const RING_BORDER = 2;
/** How far a single marker's ring reaches beyond its point, in output pixels, at label size 2. */
export const MARKER_REACH = RING_RADIUS[2] + RING_BORDER;
const LABEL_GAP = 2;

/** The least gap between two labels' boxes, so that neighbouring names do not read as one. */
const LABEL_SPACING = 4;

/** A ring around one or more marked points, in output pixels; members index the markers. */
interface Ring {
  members: number[];
  cx: number;
  cy: number;
  radius: number;
}

/**
 * Where the markers go on an image of width × height output pixels, frames upscaled by `scale`:
 * rings of a fixed size whatever the scale, centred on their pixels. Each label takes the first of
 * eight positions around its ring (right, left, above, below, then the diagonals) that lies inside
 * the image and clear of every ring and other label. Points whose rings would touch, or whose label
 * finds no clear position because a marker too close for a label between them is in the way,
 * become one marker named e.g. 'a,b', whose ring encloses them all.
 */
export function placeMarkers(markers: Marker[], scale: number, width: number, height: number): PlacedMarker[] {
  const size = Math.min(width, height) >= 96 ? 2 : 1;
  const points = markers.map((m) => [(m.x + 0.5) * scale, (m.y + 0.5) * scale] as const);
  const ringOf = (members: number[]): Ring => {
    const cx = members.reduce((sum, k) => sum + points[k]![0], 0) / members.length;
    const cy = members.reduce((sum, k) => sum + points[k]![1], 0) / members.length;
    const spread = Math.max(...members.map((k) => Math.hypot(points[k]![0] - cx, points[k]![1] - cy)));
    return { members, cx, cy, radius: RING_RADIUS[size] + spread };
  };
  let groups = markers.map((_, k) => [k]);
  for (;;) {
    const rings = groups.map(ringOf);
    const names = rings.map((r) => r.members.map((k) => markers[k]!.name).join(','));
    const touching = touchingPair(rings);
    const labelled = touching ? undefined : labelRings(rings, names, size, width, height);
    const pair = touching ?? labelled!.blocked;
    if (!pair) return labelled!.placed;
    const [i, j] = pair;
    const joined = [...groups[i]!, ...groups[j]!].sort((p, q) => p - q);
    groups = [...groups.slice(0, i), joined, ...groups.slice(i + 1, j), ...groups.slice(j + 1)];
  }
}

/** The first two rings, in order, whose black borders would touch. */
function touchingPair(rings: Ring[]): [number, number] | undefined {
  for (let i = 0; i < rings.length; i++) {
    for (let j = i + 1; j < rings.length; j++) {
      const [p, q] = [rings[i]!, rings[j]!];
      if (Math.hypot(p.cx - q.cx, p.cy - q.cy) < p.radius + q.radius + 2 * RING_BORDER + 1) return [i, j];
    }
  }
  return undefined;
}

/**
 * Labels for rings in order. `blocked` names the first ring whose label has no clear position
 * inside the image and the marker most in its way, when the two are too close for a label between
 * them; a farther one leaves the label at its least overlapping position. A label too large for
 * the image is clamped into it.
 */
function labelRings(
  rings: Ring[],
  names: string[],
  size: number,
  width: number,
  height: number,
): { placed: PlacedMarker[]; blocked?: [number, number] } {
  const obstacles = rings.map((r, owner) => {
    const reach = r.radius + RING_BORDER;
    return { owner, box: { x: r.cx - reach, y: r.cy - reach, width: 2 * reach, height: 2 * reach } };
  });
  const placed: PlacedMarker[] = [];
  for (const [self, ring] of rings.entries()) {
    const w = textWidth(names[self]!, size) + 2;
    const h = GLYPH_HEIGHT * size + 2;
    // Every candidate keeps at least `reach` from the centre, clear of its own ring.
    const reach = ring.radius + RING_BORDER + LABEL_GAP;
    const diagonal = Math.ceil(reach * Math.SQRT1_2);
    const fitting = [
      [ring.cx + reach, ring.cy - h / 2],
      [ring.cx - reach - w, ring.cy - h / 2],
      [ring.cx - w / 2, ring.cy - reach - h],
      [ring.cx - w / 2, ring.cy + reach],
      [ring.cx + diagonal, ring.cy - diagonal - h],
      [ring.cx + diagonal, ring.cy + diagonal],
      [ring.cx - diagonal - w, ring.cy - diagonal - h],
      [ring.cx - diagonal - w, ring.cy + diagonal],
    ]
      .map(([x, y]) => ({ x: Math.round(x!), y: Math.round(y!), width: w, height: h }))
      .filter((b) => b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height);
    const hits = (b: Box) => obstacles.filter((o) => o.owner !== self && overlapArea(b, o.box) > 0);
    const overlap = (b: Box) => hits(b).reduce((sum, o) => sum + overlapArea(b, o.box), 0);
    let box = fitting.find((b) => hits(b).length === 0);
    if (!box && fitting.length > 0) {
      const [worst] = hits(fitting[0]!).sort(
        (p, q) => overlapArea(fitting[0]!, q.box) - overlapArea(fitting[0]!, p.box),
      );
      const other = rings[worst!.owner]!;
      // Too close for a label to fit between the two rings: one marker for both.
      const room = ring.radius + other.radius + 2 * (RING_BORDER + LABEL_GAP) + h;
      if (Math.hypot(ring.cx - other.cx, ring.cy - other.cy) < room) {
        return { placed, blocked: [Math.min(self, worst!.owner), Math.max(self, worst!.owner)] };
      }
      box = fitting.reduce((best, b) => (overlap(b) < overlap(best) ? b : best));
    }
    box ??= clampBox({ x: ring.cx + reach, y: ring.cy - h / 2, width: w, height: h }, width, height);
    obstacles.push({ owner: self, box: inflate(box, LABEL_SPACING) });
    placed.push({ name: names[self]!, cx: ring.cx, cy: ring.cy, radius: ring.radius, size, label: box });
  }
  return { placed };
}

function overlapArea(p: Box, q: Box): number {
  const w = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x);
  const h = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function inflate(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function clampBox(box: Box, width: number, height: number): Box {
  return {
    ...box,
    x: Math.round(Math.max(0, Math.min(box.x, width - box.width))),
    y: Math.round(Math.max(0, Math.min(box.y, height - box.height))),
  };
}

/**
 * Draws placed markers into `image` with the placement's origin at (x0, y0): every ring first,
 * then the labels in white with a black outline. Rings may reach into a margin around the placed
 * area; parts outside the image are cut.
 */
export function drawMarkers(image: RgbImage, placed: PlacedMarker[], x0 = 0, y0 = 0): void {
  for (const m of placed) drawRing(image, x0 + m.cx, y0 + m.cy, m.radius);
  for (const m of placed) {
    const x = x0 + m.label.x + 1;
    const y = y0 + m.label.y + 1;
    for (const [dx, dy] of OUTLINE) drawText(image.rgb, image.width, x + dx, y + dy, m.name, [0, 0, 0], m.size);
    drawText(image.rgb, image.width, x, y, m.name, [255, 255, 255], m.size);
  }
}

/** The eight neighbours a label's black outline is drawn at. */
const OUTLINE = [-1, 0, 1].flatMap((dx) => [-1, 0, 1].map((dy) => [dx, dy] as const)).filter(([dx, dy]) => dx || dy);

function setPixel(image: RgbImage, x: number, y: number, colour: readonly [number, number, number]): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  image.rgb.set(colour, (y * image.width + x) * 3);
}

/** A ring of the given radius: white, bordered in black inside and out so it shows on any colour. */
function drawRing(image: RgbImage, cx: number, cy: number, radius: number): void {
  const reach = Math.ceil(radius + RING_BORDER);
  for (let y = Math.floor(cy - reach); y <= cy + reach; y++) {
    for (let x = Math.floor(cx - reach); x <= cx + reach; x++) {
      const r = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (Math.abs(r - radius) <= 1) setPixel(image, x, y, [255, 255, 255]);
      else if (Math.abs(r - radius) <= RING_BORDER) setPixel(image, x, y, [0, 0, 0]);
    }
  }
}

/** An image to show beside a slice, such as one of its points a, b, c. */
export interface Thumbnail {
  name: string;
  /** Values in [0,1], height × width × channels (1 or 3), row-major. */
  image: ArrayLike<number>;
  shape: readonly [number, number, number];
}

/**
 * An image of [0,1] values (height × width × channels, 1 or 3 channels) as RGB bytes, each pixel
 * repeated scale × scale times (nearest neighbour, no smoothing).
 */
export function imageToRgb(
  image: ArrayLike<number>,
  shape: readonly [number, number, number],
  scale: number,
): RgbImage {
  const [h, w, c] = shape;
  const width = w * scale;
  const height = h * scale;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = (Math.floor(y / scale) * w + Math.floor(x / scale)) * c;
      for (let k = 0; k < 3; k++) {
        const v = image[source + (c === 1 ? 0 : k)]!;
        rgb[(y * width + x) * 3 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    }
  }
  return { rgb, width, height };
}

/** Font scale of thumbnail names, and the gaps under a name and between thumbnails, in pixels. */
const THUMB_NAME_SIZE = 2;
const THUMB_NAME_GAP = 2;
const THUMB_SPACING = 6;

/**
 * The largest scale from 1 to 4 at which `count` thumbnails of images `imageHeight` pixels high,
 * stacked by renderThumbnails, fit in `height` pixels (1 if none does).
 */
export function thumbnailScale(imageHeight: number, count: number, height: number): number {
  const fixed = count * (GLYPH_HEIGHT * THUMB_NAME_SIZE + THUMB_NAME_GAP + 2) + (count - 1) * THUMB_SPACING;
  return Math.max(1, Math.min(4, Math.floor((height - fixed) / (count * imageHeight))));
}

/**
 * Thumbnails stacked in a column on white, as in the paper's figures: each image's name in black,
 * then the image upscaled by `scale` without smoothing inside a 1-pixel grey frame.
 */
export function renderThumbnails(thumbnails: Thumbnail[], scale: number): RgbImage {
  const images = thumbnails.map((t) => imageToRgb(t.image, t.shape, scale));
  const nameHeight = GLYPH_HEIGHT * THUMB_NAME_SIZE + THUMB_NAME_GAP;
  const width = Math.max(
    ...images.map((im) => im.width + 2),
    ...thumbnails.map((t) => textWidth(t.name, THUMB_NAME_SIZE)),
  );
  const height = images.reduce((sum, im) => sum + nameHeight + im.height + 2, 0) + (images.length - 1) * THUMB_SPACING;
  const out: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
  let top = 0;
  images.forEach((image, k) => {
    drawText(out.rgb, width, 0, top, thumbnails[k]!.name, [0, 0, 0], THUMB_NAME_SIZE);
    top += nameHeight;
    for (let y = 0; y < image.height + 2; y++)
      for (let x = 0; x < image.width + 2; x++) setPixel(out, x, top + y, [160, 160, 160]);
    pasteImage(out, image, 1, top + 1);
    top += image.height + 2 + THUMB_SPACING;
  });
  return out;
}

/** Copies `source` into `target` with its top-left corner at (x, y); the parts outside are cut. */
export function pasteImage(target: RgbImage, source: RgbImage, x: number, y: number): void {
  const x0 = Math.max(0, x);
  const x1 = Math.min(target.width, x + source.width);
  if (x1 <= x0) return;
  for (let sy = Math.max(0, -y); sy < source.height && y + sy < target.height; sy++) {
    const row = sy * source.width;
    target.rgb.set(source.rgb.subarray((row + x0 - x) * 3, (row + x1 - x) * 3), ((y + sy) * target.width + x0) * 3);
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
 * points outside the hypercube, on white; `scale` enlarges the 5×7 font; colours from `palette`.
 */
export function renderLegend(classNames: string[], scale = 2, palette: PaletteName = 'default'): RgbImage {
  const rows = [
    ...classNames.map((name, k) => ({
      name: name === String(k) ? name : `${k} ${name}`,
      colour: colourOf(k, palette),
    })),
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
