/**
 * A frame's decision regions as canvas pixels: one colour per class, grey outside H (label 255),
 * optionally shaded by confidence with the same arithmetic as slices/render.ts, so a cell's canvas
 * and the PNG and MP4 exports agree byte for byte. Pure: typed arrays in, typed arrays out.
 */
import { INFEASIBLE_COLOUR, type Rgb } from '../../slices/palette.js';

/** The label of pixels outside the cube H. */
export const INFEASIBLE_LABEL = 255;

/**
 * Brightness factor of a shaded pixel, 0.4 + 0.6 · p with p = confidence / 255 the top-class
 * probability: 0.4 at confidence 0, 1 at 255.
 */
export function shadeFactor(confidence: number): number {
  return 0.4 + (0.6 * confidence) / 255;
}

/**
 * Writes the regions of a width × height frame into `out` (RGBA, 4 bytes a pixel, row-major, top
 * row first, opaque): the colour of each pixel's label from `colours`, grey for 255 or a label
 * without a colour; with `shading` every coloured pixel is scaled by shadeFactor(confidence) and
 * rounded, grey never is. Returns `out`.
 */
export function paintRegions(
  out: Uint8ClampedArray,
  labels: Uint8Array,
  confidence: Uint8Array,
  colours: readonly Rgb[],
  shading: boolean,
): Uint8ClampedArray {
  if (out.length !== labels.length * 4 || confidence.length !== labels.length) {
    throw new RangeError(
      `expected ${labels.length} confidences and ${labels.length * 4} RGBA bytes, received ${confidence.length} and ${out.length}`,
    );
  }
  for (let p = 0; p < labels.length; p++) {
    const colour = colours[labels[p]!];
    const o = p * 4;
    if (colour === undefined) {
      out[o] = INFEASIBLE_COLOUR[0];
      out[o + 1] = INFEASIBLE_COLOUR[1];
      out[o + 2] = INFEASIBLE_COLOUR[2];
    } else if (shading) {
      const k = shadeFactor(confidence[p]!);
      out[o] = Math.round(colour[0] * k);
      out[o + 1] = Math.round(colour[1] * k);
      out[o + 2] = Math.round(colour[2] * k);
    } else {
      out[o] = colour[0];
      out[o + 1] = colour[1];
      out[o + 2] = colour[2];
    }
    out[o + 3] = 255;
  }
  return out;
}

/** CSS colour text of an RGB colour, for legends and swatches: `rgb(31 119 180)`. */
export function cssColour(colour: Rgb): string {
  return `rgb(${colour[0]} ${colour[1]} ${colour[2]})`;
}
