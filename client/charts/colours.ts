/** Colours of chart lines that stand for classes: the class palette of the PNGs and MP4s, as CSS colours. */
import { paletteColours } from '../../slices/palette.js';
import type { PaletteChoice } from '../model/view-state.js';

/** The CSS colour of each class in `palette` (the view's choice: default or colour-blind). */
export function classColours(palette: PaletteChoice): string[] {
  return paletteColours(palette).map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`);
}

/** A CSS colour (`#rrggbb` or `rgb(r, g, b)`) at opacity `alpha`; any other colour as it is. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  const rgb = hex
    ? hex.slice(1).map((h) => parseInt(h, 16))
    : /^rgb\((\d+), ?(\d+), ?(\d+)\)$/.exec(colour)?.slice(1).map(Number);
  return rgb === undefined ? colour : `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})`;
}
