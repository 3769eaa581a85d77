/** An RGB colour as bytes. */
export type Rgb = readonly [number, number, number];

/**
 * One fixed colour per class (up to 10), the same in PNGs, videos and the dashboard, and grey for
 * infeasible pixels (outside H). Chosen to stay distinguishable side by side; as RGB bytes. The
 * `default` palette.
 */
export const CLASS_COLOURS: readonly Rgb[] = [
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

/**
 * The `colour-blind` palette: ten colours from Paul Tol's muted, bright, light and dark schemes and
 * Okabe–Ito's yellow, chosen (of those schemes' colours, white and black left out) to keep the
 * smallest CIELAB distance ΔE*ab between any two of them, and from the grey outside H, as large as
 * possible under simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1)
 * and normal vision: every pair stays at least 18 apart (the default palette's closest pair comes
 * to 5 under protanopia, 7 under deuteranopia). Light and dark colours mostly alternate by class, so
 * neighbouring labels also differ in lightness, which every kind of colour vision sees.
 */
const COLOUR_BLIND_COLOURS: readonly Rgb[] = [
  [51, 34, 136], // Tol muted indigo #332288
  [240, 228, 66], // Okabe–Ito yellow #F0E442
  [136, 34, 85], // Tol muted wine #882255
  [136, 204, 238], // Tol muted cyan #88CCEE
  [34, 85, 34], // Tol dark green #225522
  [238, 136, 102], // Tol light orange #EE8866
  [170, 68, 153], // Tol muted purple #AA4499
  [170, 170, 0], // Tol light olive #AAAA00
  [34, 136, 51], // Tol bright green #228833
  [255, 170, 187], // Tol light pink #FFAABB
];

/** Grey for infeasible pixels, in every palette. */
export const INFEASIBLE_COLOUR: Rgb = [128, 128, 128];

/** The palettes PNGs, videos and the dashboard can draw classes in. */
export const PALETTE_NAMES = ['default', 'colour-blind'] as const;
export type PaletteName = (typeof PALETTE_NAMES)[number];

/** A palette's class colours, by label (10 in each). */
export function paletteColours(name: PaletteName): readonly Rgb[] {
  switch (name) {
    case 'default':
      return CLASS_COLOURS;
    case 'colour-blind':
      return COLOUR_BLIND_COLOURS;
    default: {
      const never: never = name;
      return never;
    }
  }
}

/** The colour of a label in a palette (default `default`); 255 or any label without a colour: grey. */
export function colourOf(label: number, palette: PaletteName = 'default'): Rgb {
  return paletteColours(palette)[label] ?? INFEASIBLE_COLOUR;
}
