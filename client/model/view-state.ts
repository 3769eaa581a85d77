/**
 * What the user is looking at, all of it in the URL so a copied link reopens the same view: the
 * compared runs, the focused slice, the time cursor and its play state, the chart settings and the
 * pixel toggles. Parsing is forgiving (a bad or missing value takes its default), writing omits
 * defaults, so links stay short.
 */
import type { RunId, SliceId } from '../../core/ids.js';

/** Rerun's three play states: stopped on a step, advancing at `fps`, or always on the newest step. */
export const PLAY_STATES = ['paused', 'playing', 'following'] as const;
export type PlayState = (typeof PLAY_STATES)[number];

/** The x axis of every chart (and the cursor's label): training steps, epochs or examples seen. */
export const TIME_AXES = ['step', 'epoch', 'examples'] as const;
export type TimeAxis = (typeof TIME_AXES)[number];

/** What is drawn over the regions: nothing, the pixels changed since the pinned step, or where the compared runs disagree. */
export const OVERLAYS = ['none', 'changed', 'disagree'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const PALETTE_NAMES = ['default', 'colour-blind'] as const;
export type PaletteChoice = (typeof PALETTE_NAMES)[number];

export interface ViewState {
  /** The compared runs, as columns from left to right. */
  runs: RunId[];
  /** The slice whose probability profiles and metrics are charted; null: the set's first. */
  slice: SliceId | null;
  /** The time cursor, a training step; null: the newest step of the compared runs. */
  step: number | null;
  play: PlayState;
  /** Playback speed: recorded steps shown per second. */
  fps: number;
  axis: TimeAxis;
  /** TensorBoard's smoothing weight, 0 (raw) to 0.99. */
  smoothing: number;
  /** Shade each pixel by its confidence. */
  shading: boolean;
  overlay: Overlay;
  /** The step the `changed` overlay compares with; null: the previous recorded step. */
  pinned: number | null;
  palette: PaletteChoice;
  theme: Theme;
}

export const DEFAULT_VIEW: ViewState = {
  runs: [],
  slice: null,
  step: null,
  play: 'following',
  fps: 10,
  axis: 'step',
  smoothing: 0.6,
  shading: false,
  overlay: 'none',
  pinned: null,
  palette: 'default',
  theme: 'system',
};

/** The most frames per second playback offers. */
export const MAX_FPS = 60;

const positiveInt = (text: string | null): number | undefined =>
  text !== null && /^[1-9]\d{0,14}$/.test(text) ? Number(text) : undefined;
const stepOf = (text: string | null): number | undefined =>
  text !== null && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
const oneOf = <T extends string>(values: readonly T[], text: string | null): T | undefined =>
  values.find((v) => v === text);

/** The view a URL's query describes; anything missing or invalid takes its default. */
export function parseView(search: string): ViewState {
  const q = new URLSearchParams(search);
  const runs = (q.get('runs') ?? '')
    .split(',')
    .map((id) => positiveInt(id))
    .filter((id): id is number => id !== undefined);
  const fps = positiveInt(q.get('fps'));
  const smoothing = Number(q.get('smooth') ?? NaN);
  const step = stepOf(q.get('step'));
  const d = DEFAULT_VIEW;
  return {
    runs: [...new Set(runs)] as RunId[],
    slice: (positiveInt(q.get('slice')) as SliceId | undefined) ?? d.slice,
    step: step ?? d.step,
    play: oneOf(PLAY_STATES, q.get('play')) ?? (step !== undefined ? 'paused' : d.play),
    fps: fps !== undefined ? Math.min(fps, MAX_FPS) : d.fps,
    axis: oneOf(TIME_AXES, q.get('axis')) ?? d.axis,
    smoothing: smoothing >= 0 && smoothing <= 0.99 ? smoothing : d.smoothing,
    shading: q.has('shade') ? q.get('shade') === '1' : d.shading,
    overlay: oneOf(OVERLAYS, q.get('overlay')) ?? d.overlay,
    pinned: stepOf(q.get('pin')) ?? d.pinned,
    palette: oneOf(PALETTE_NAMES, q.get('palette')) ?? d.palette,
    theme: oneOf(THEMES, q.get('theme')) ?? d.theme,
  };
}

/** The query (with its `?`, or empty) that parseView reads back as `view`; defaults are left out. */
export function formatView(view: ViewState): string {
  const d = DEFAULT_VIEW;
  const q = new URLSearchParams();
  if (view.runs.length > 0) q.set('runs', view.runs.join(','));
  if (view.slice !== d.slice) q.set('slice', String(view.slice));
  // A following cursor has no fixed step: the link opens on the newest one.
  if (view.step !== null && view.play !== 'following') q.set('step', String(view.step));
  if (view.play !== d.play) q.set('play', view.play);
  if (view.fps !== d.fps) q.set('fps', String(view.fps));
  if (view.axis !== d.axis) q.set('axis', view.axis);
  if (view.smoothing !== d.smoothing) q.set('smooth', String(view.smoothing));
  if (view.shading !== d.shading) q.set('shade', view.shading ? '1' : '0');
  if (view.overlay !== d.overlay) q.set('overlay', view.overlay);
  if (view.pinned !== d.pinned) q.set('pin', String(view.pinned));
  if (view.palette !== d.palette) q.set('palette', view.palette);
  if (view.theme !== d.theme) q.set('theme', view.theme);
  const text = q.toString().replace(/%2C/g, ',');
  return text === '' ? '' : `?${text}`;
}
