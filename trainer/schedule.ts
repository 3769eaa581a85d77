import { InvalidArgumentError } from '../core/errors.js';

/**
 * Learning-rate schedules as a function of the (fractional) epoch. `step` multiplies the base
 * rate by `factor` at each milestone epoch (the WRN recipe: 0.2 at 60, 120, 160 of 200);
 * `cosine` anneals from the base rate to 0 over the whole run.
 */
export type Schedule =
  | { kind: 'constant' }
  | { kind: 'step'; factor: number; milestones: number[] }
  | { kind: 'cosine'; totalEpochs: number };

export function learningRate(schedule: Schedule, baseLr: number, epoch: number): number {
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * schedule.factor ** schedule.milestones.filter((m) => epoch >= m).length;
    case 'cosine':
      return 0.5 * baseLr * (1 + Math.cos(Math.PI * Math.min(1, epoch / schedule.totalEpochs)));
    default: {
      const never: never = schedule;
      return never;
    }
  }
}

/**
 * Parses `constant`, `cosine`, or `step` / `step:F@E1,E2,…` (default `step` = 0.2 at 30%, 60% and
 * 80% of the run, the WRN recipe's 60/120/160 of 200 epochs).
 */
export function parseSchedule(text: string, totalEpochs: number): Schedule {
  if (text === 'constant') return { kind: 'constant' };
  if (text === 'cosine') return { kind: 'cosine', totalEpochs };
  if (text === 'step') return { kind: 'step', factor: 0.2, milestones: [0.3, 0.6, 0.8].map((f) => f * totalEpochs) };
  const match = /^step:([\d.]+)@([\d.,]+)$/.exec(text);
  if (match) {
    const milestones = match[2]!.split(',').map(Number);
    const factor = Number(match[1]);
    if (Number.isFinite(factor) && milestones.every(Number.isFinite)) return { kind: 'step', factor, milestones };
  }
  throw new InvalidArgumentError(
    `invalid schedule: ${text}; expected constant, cosine, step or step:FACTOR@EPOCH,EPOCH,…`,
  );
}
