/**
 * What the optimiser did, as markers on a time chart's x axis: epoch boundaries (from the `epoch`
 * series), learning-rate changes (from `lr`) and evaluations (the steps of `testAccuracy`), so a
 * sudden change in the regions can be read against them.
 */
import type { Series } from '../model/scalar-store.js';

export type MarkerKind = 'epoch' | 'lr' | 'eval';

export interface Marker {
  kind: MarkerKind;
  step: number;
  label: string;
}

/** The scalar series markers are read from; any may be missing. */
export interface MarkerSeries {
  epoch?: Series | undefined;
  lr?: Series | undefined;
  testAccuracy?: Series | undefined;
}

/** Epoch values within this of a whole number count as that number (the trainer's sums drift). */
const EPOCH_EPSILON = 1e-6;
/** A learning-rate change is a jump: more than this share of the rate ... */
const LR_RELATIVE = 0.1;
/** ... and this many times the previous step's change, so a cosine or warm-up ramp marks nothing. */
const LR_JUMP = 4;

/** The first step of each new epoch: where ⌊epoch⌋ goes up. */
export function epochMarkers(epoch: Series): Marker[] {
  const out: Marker[] = [];
  let previous = Math.floor(epoch.values[0]! + EPOCH_EPSILON);
  for (let i = 1; i < epoch.values.length; i++) {
    const whole = Math.floor(epoch.values[i]! + EPOCH_EPSILON);
    if (whole > previous) out.push({ kind: 'epoch', step: epoch.steps[i]!, label: `epoch ${whole}` });
    previous = whole;
  }
  return out;
}

/**
 * The steps where the learning rate jumps (a step schedule's milestones), not where it glides: a
 * change of more than 10% of the rate that is also over 4× the change one step before.
 */
export function lrMarkers(lr: Series): Marker[] {
  const out: Marker[] = [];
  const v = lr.values;
  for (let i = 1; i < v.length; i++) {
    const change = Math.abs(v[i]! - v[i - 1]!);
    const before = i >= 2 ? Math.abs(v[i - 1]! - v[i - 2]!) : 0;
    if (change > LR_RELATIVE * Math.max(Math.abs(v[i]!), Math.abs(v[i - 1]!)) && change > LR_JUMP * before) {
      out.push({ kind: 'lr', step: lr.steps[i]!, label: `lr ${formatRate(v[i - 1]!)} → ${formatRate(v[i]!)}` });
    }
  }
  return out;
}

/** One marker per evaluation (a step with a test accuracy). */
export function evalMarkers(testAccuracy: Series): Marker[] {
  return testAccuracy.steps.map((step) => ({ kind: 'eval', step, label: 'evaluation' }));
}

/** Every marker of the given runs' series, once per kind and step, in step order. */
export function timeMarkers(runs: readonly MarkerSeries[]): Marker[] {
  const seen = new Map<string, Marker>();
  for (const run of runs) {
    const all = [
      ...(run.epoch ? epochMarkers(run.epoch) : []),
      ...(run.lr ? lrMarkers(run.lr) : []),
      ...(run.testAccuracy ? evalMarkers(run.testAccuracy) : []),
    ];
    for (const m of all) if (!seen.has(`${m.kind}@${m.step}`)) seen.set(`${m.kind}@${m.step}`, m);
  }
  return [...seen.values()].sort((a, b) => a.step - b.step);
}

const formatRate = (rate: number) => String(Number(rate.toPrecision(3)));
