/**
 * Where a slice's pixels are in input space: the plane of a, b, c rebuilt in the browser from the
 * points' stored vectors with slices/geometry.ts (so it is the grid the recorder evaluated), the
 * input-space point at a pixel's centre, the pixels of a, b and c, and a point drawn as an image.
 */
import {
  planeToPoint,
  pixelToPlane,
  sliceGeometry,
  slicePointPixel,
  type SliceGeometry,
} from '../../slices/geometry.js';

/** The points a slice was made from, vectors in [0,1]^d with d = h·w·channels (SlicePointsDto). */
export interface SlicePoints {
  shape: readonly [number, number, number];
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  c: ArrayLike<number>;
}

/** A marked point: its name and the pixel (column x, row y) holding its projection. */
export interface PointMarker {
  name: 'a' | 'b' | 'c';
  x: number;
  y: number;
}

/** A slice's plane and grid, the image shape of its points and where a, b, c are. */
export interface SlicePlane {
  geometry: SliceGeometry;
  shape: readonly [number, number, number];
  markers: PointMarker[];
}

/** The plane and grid of a slice recorded at `resolution` pixels along its longer side (Definition 1). */
export function slicePlane(points: SlicePoints, resolution: number): SlicePlane {
  const geometry = sliceGeometry(points.a, points.b, points.c, { resolution });
  const markers = (['a', 'b', 'c'] as const).map((name) => ({
    name,
    ...slicePointPixel(geometry, name, points[name]),
  }));
  return { geometry, shape: points.shape, markers };
}

/** A point of the plane: its plane coordinates (s, t) and the input-space point a + s·u + t·w. */
export interface PlanePointAt {
  s: number;
  t: number;
  point: Float64Array;
}

/** The plane point at the centre of pixel (x, y): column x from the left, row y from the top. */
export function planePointAt(geometry: SliceGeometry, x: number, y: number): PlanePointAt {
  const [s, t] = pixelToPlane(geometry, x, y);
  return { s, t, point: planeToPoint(geometry, s, t) };
}

/** An RGBA image, 4 bytes a pixel, row-major, top row first. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

/**
 * An input vector of shape [h, w, channels] as an opaque RGBA image: values clamped to [0,1] and
 * scaled to bytes (rounded), one channel drawn grey, three as RGB (like the thumbnail PNGs).
 */
export function pointImage(point: ArrayLike<number>, shape: readonly [number, number, number]): RgbaImage {
  const [height, width, channels] = shape;
  if (channels !== 1 && channels !== 3) throw new RangeError(`expected 1 or 3 channels, received ${channels}`);
  if (point.length !== height * width * channels)
    throw new RangeError(
      `expected ${height * width * channels} values for shape ${shape.join('×')}, received ${point.length}`,
    );
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      const v = point[p * channels + (channels === 1 ? 0 : k)]!;
      rgba[p * 4 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
