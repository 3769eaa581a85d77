import { drawText, GLYPH_HEIGHT } from '../slices/font.js';
import {
  besideImages,
  drawMarkers,
  MARKER_REACH,
  pasteImage,
  placeMarkers,
  renderRegions,
  renderThumbnails,
  thumbnailScale,
  type Marker,
  type RgbImage,
  type Thumbnail,
} from '../slices/render.js';
import type { Frame } from '../slices/frame.js';
import type { PaletteName } from '../slices/palette.js';

/** One panel of a video frame (or of a slice's PNG): a slice's frame at a step, with its caption lines. */
export interface Panel {
  frame: Frame;
  caption: string[];
  /** Points to mark, such as a, b and c, in frame pixels. */
  markers?: Marker[];
  /** Images shown in a column right of the regions, such as the points a, b and c themselves. */
  thumbnails?: Thumbnail[];
  /** Darken low-confidence pixels (see renderRegions). */
  shade?: boolean;
  /** The class colours (default `default`). */
  palette?: PaletteName;
}

/**
 * Margin around a panel's contents, wide enough for the whole ring of a point on the regions'
 * edge, and the gap between the regions and the thumbnails, in pixels.
 */
const MARGIN = MARKER_REACH + 1;
const THUMBNAIL_GAP = 8;

/**
 * A panel drawn: a white caption strip over the regions upscaled without smoothing, markers
 * drawn at a fixed size (their labels inside the regions, their rings whole in the margin), and
 * the thumbnails at the right, sized by the regions' longer side. Without thumbnails it is the
 * regions plus an 8-pixel margin on the left, right and bottom.
 */
export function renderPanel(panel: Panel, scale: number): RgbImage {
  const regions = renderRegions(panel.frame.labels, panel.frame.confidence, panel.frame.width, panel.frame.height, {
    scale,
    shade: panel.shade ?? false,
    palette: panel.palette ?? 'default',
  });
  const tallest = Math.max(0, ...(panel.thumbnails ?? []).map((t) => t.shape[0]));
  const thumbnails = panel.thumbnails?.length
    ? renderThumbnails(
        panel.thumbnails,
        thumbnailScale(tallest, panel.thumbnails.length, Math.max(regions.width, regions.height)),
      )
    : undefined;
  const strip = panel.caption.length * (GLYPH_HEIGHT + 3) + MARGIN;
  const width = MARGIN + regions.width + (thumbnails ? THUMBNAIL_GAP + thumbnails.width : 0) + MARGIN;
  const height = strip + Math.max(regions.height, thumbnails?.height ?? 0) + MARGIN;
  const out: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
  pasteImage(out, regions, MARGIN, strip);
  drawMarkers(out, placeMarkers(panel.markers ?? [], scale, regions.width, regions.height), MARGIN, strip);
  if (thumbnails) pasteImage(out, thumbnails, MARGIN + regions.width + THUMBNAIL_GAP, strip);
  // The captions last: a large merged ring on the regions' top edge may reach into their strip.
  panel.caption.forEach((line, i) => drawText(out.rgb, width, MARGIN, 3 + i * (GLYPH_HEIGHT + 3), line, [0, 0, 0]));
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
