/**
 * The charts' shared x axis: training steps, epochs (step / steps per epoch) or examples seen
 * (step × batch size). Every mapping is linear through 0, so it is one factor each way.
 */
import type { TimeAxis } from '../model/view-state.js';

export interface AxisScale {
  /** The axis actually drawn: `step` when the chosen one is unknown for the run (no epochs yet). */
  axis: TimeAxis;
  /** Axis units per training step. */
  perStep: number;
  title: string;
}

/** The scale of `axis` for a run with `stepsPerEpoch` (0: unknown) and `batchSize`. */
export function axisScale(axis: TimeAxis, stepsPerEpoch: number, batchSize: number): AxisScale {
  if (axis === 'epoch' && stepsPerEpoch > 0) return { axis, perStep: 1 / stepsPerEpoch, title: 'epoch' };
  if (axis === 'examples' && batchSize > 0) return { axis, perStep: batchSize, title: 'examples seen' };
  return { axis: 'step', perStep: 1, title: 'step' };
}

/** A step's position on the axis. */
export const toAxis = (scale: AxisScale, step: number): number => step * scale.perStep;

/** The training step at an axis position (a click), rounded to a whole step. */
export const toStep = (scale: AxisScale, x: number): number => Math.round(x / scale.perStep);

/** An axis tick's label: whole steps, epochs to two decimals at most, examples as 12k / 1.5M. */
export function tickLabel(scale: AxisScale, x: number): string {
  if (scale.axis === 'epoch') return String(Math.round(x * 100) / 100);
  if (scale.axis === 'examples') {
    if (Math.abs(x) >= 1e6) return `${Math.round(x / 1e5) / 10}M`;
    if (Math.abs(x) >= 1e3) return `${Math.round(x / 1e2) / 10}k`;
  }
  return String(Math.round(x));
}
