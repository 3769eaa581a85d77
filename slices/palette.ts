/**
 * One fixed colour per class (up to 10), the same in PNGs, videos and the dashboard, and grey for
 * infeasible pixels (outside H). Chosen to stay distinguishable side by side; as RGB bytes.
 */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [188, 189, 34],
  [23, 190, 207],
  [250, 220, 90],
];

/** Grey for infeasible pixels. */
export const INFEASIBLE_COLOUR: readonly [number, number, number] = [128, 128, 128];

/** The colour of a label (255 or any label without a colour: grey). */
export function colourOf(label: number): readonly [number, number, number] {
  return CLASS_COLOURS[label] ?? INFEASIBLE_COLOUR;
}
