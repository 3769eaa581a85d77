/**
 * The one time cursor's arithmetic, pure: where it is, where a key press or a tick of playback
 * moves it, and what follow-live means. Steps are training steps; the timeline spans the compared
 * runs' first and newest committed steps.
 */
import type { PlayState } from './view-state.js';

export interface Timeline {
  /** The first step with data (1 for a recorded run). */
  first: number;
  /** The newest committed step of any compared run. */
  last: number;
}

/** `step` kept within the timeline. */
export function clampStep(timeline: Timeline, step: number): number {
  return Math.min(timeline.last, Math.max(timeline.first, Math.round(step)));
}

/** The step the cursor shows: the newest when following (or never set), else its own step, clamped. */
export function cursorStep(timeline: Timeline, step: number | null, play: PlayState): number {
  return play === 'following' || step === null ? timeline.last : clampStep(timeline, step);
}

/**
 * Playback: the step `elapsedMs` after `step` at `fps` steps a second, and the milliseconds not
 * yet spent (carried into the next tick, so the rate holds whatever the display's refresh rate).
 * At the end of the timeline playback pauses there.
 */
export function advance(
  timeline: Timeline,
  step: number,
  fps: number,
  elapsedMs: number,
): { step: number; carryMs: number; ended: boolean } {
  const period = 1000 / fps;
  const steps = Math.floor(elapsedMs / period);
  const next = step + steps;
  if (next >= timeline.last) return { step: timeline.last, carryMs: 0, ended: true };
  return { step: next, carryMs: elapsedMs - steps * period, ended: false };
}

/** The step label on the chosen axis: the step, the epoch (fractional) or the examples seen. */
export function stepOnAxis(
  step: number,
  axis: 'step' | 'epoch' | 'examples',
  stepsPerEpoch: number,
  batchSize: number,
): number {
  if (axis === 'epoch') return stepsPerEpoch > 0 ? step / stepsPerEpoch : 0;
  if (axis === 'examples') return step * batchSize;
  return step;
}
