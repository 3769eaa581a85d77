import { drawText, GLYPH_HEIGHT } from '../slices/font.js';
import { besideImages, renderRegions, type Marker, type RgbImage } from '../slices/render.js';
import type { Frame } from '../slices/frame.js';

/** One panel of a video frame: a slice's frame at a step, with its caption lines. */
export interface Panel {
  frame: Frame;
  caption: string[];
  /** Points to mark, such as a, b and c, in frame pixels. */
  markers?: Marker[];
}

/** A panel drawn: the regions upscaled without smoothing under a white caption strip. */
export function renderPanel(panel: Panel, scale: number): RgbImage {
  const regions = renderRegions(panel.frame.labels, panel.frame.confidence, panel.frame.width, panel.frame.height, {
    scale,
    markers: panel.markers ?? [],
  });
  const strip = panel.caption.length * (GLYPH_HEIGHT + 3) + 4;
  const out: RgbImage = { width: regions.width + 8, height: regions.height + strip + 4, rgb: new Uint8Array(0) };
  out.rgb = new Uint8Array(out.width * out.height * 3).fill(255);
  panel.caption.forEach((line, i) => drawText(out.rgb, out.width, 4, 3 + i * (GLYPH_HEIGHT + 3), line, [0, 0, 0]));
  for (let y = 0; y < regions.height; y++) {
    out.rgb.set(
      regions.rgb.subarray(y * regions.width * 3, (y + 1) * regions.width * 3),
      ((strip + y) * out.width + 4) * 3,
    );
  }
  return out;
}

/** Panels side by side, then the legend, padded with white to even sides (H.264 in yuv420p). */
export function composeVideoFrame(panels: Panel[], legend: RgbImage, scale: number): RgbImage {
  let image = panels.map((p) => renderPanel(p, scale)).reduce((left, right) => besideImages(left, right));
  image = besideImages(image, legend);
  const width = image.width + (image.width % 2);
  const height = image.height + (image.height % 2);
  if (width === image.width && height === image.height) return image;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < image.height; y++)
    rgb.set(image.rgb.subarray(y * image.width * 3, (y + 1) * image.width * 3), y * width * 3);
  return { width, height, rgb };
}

/**
 * The steps a video shows: every recorded step, or `count` log-spaced ones (so the fast early
 * changes get as much time as the slow late ones), always from the steps that exist.
 */
export function videoSteps(recorded: number[], mapping: 'every' | 'log', count: number): number[] {
  const steps = [...new Set(recorded)].sort((a, b) => a - b);
  if (mapping === 'every' || steps.length <= count) return steps;
  const first = Math.log(steps[0]!);
  const last = Math.log(steps.at(-1)!);
  const chosen = new Set<number>();
  for (let i = 0; i < count; i++) {
    const target = Math.exp(first + ((last - first) * i) / (count - 1));
    chosen.add(steps.reduce((best, s) => (Math.abs(s - target) < Math.abs(best - target) ? s : best)));
  }
  return [...chosen].sort((a, b) => a - b);
}
