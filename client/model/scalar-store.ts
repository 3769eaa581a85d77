/**
 * Scalar series of the compared runs, by run and name, in step order: loaded over REST when a run
 * is chosen, then extended by live pushes. A resumed run commits its steps again from its
 * checkpoint, so a push at or before a series' newest step replaces that part of the series.
 */
import type { RunId } from '../../core/ids.js';
import { MAX_SCALAR_SPAN } from '../../server/wire-format.js';
import type { ScalarPoint } from '../../store/types.js';

export interface Series {
  steps: number[];
  values: number[];
}

export type FetchSeries = (run: RunId, name: string, from: number, to: number) => Promise<ScalarPoint[]>;

export class ScalarStore {
  private readonly series = new Map<RunId, Map<string, Series>>();
  /** Bumped on every change, so charts redraw only when something changed. */
  version = 0;

  get(run: RunId, name: string): Series | undefined {
    return this.series.get(run)?.get(name);
  }

  names(run: RunId): string[] {
    return [...(this.series.get(run)?.keys() ?? [])];
  }

  /** The newest step any series of the run has. */
  newestStep(run: RunId): number {
    let newest = 0;
    for (const s of this.series.get(run)?.values() ?? []) newest = Math.max(newest, s.steps.at(-1) ?? 0);
    return newest;
  }

  /** Loads whole series up to step `to`, in spans the server accepts. */
  async load(run: RunId, names: string[], to: number, fetch: FetchSeries): Promise<void> {
    const loaded = await Promise.all(
      names.map(async (name) => {
        const points: ScalarPoint[] = [];
        for (let from = 0; from <= to; from += MAX_SCALAR_SPAN) {
          points.push(...(await fetch(run, name, from, Math.min(to, from + MAX_SCALAR_SPAN - 1))));
        }
        return [name, { steps: points.map((p) => p.step), values: points.map((p) => p.value) }] as const;
      }),
    );
    this.series.set(run, new Map(loaded));
    this.version++;
  }

  /** The values a step of a run committed (a live push). */
  push(run: RunId, step: number, values: Record<string, number>): void {
    const byName = this.series.get(run) ?? new Map<string, Series>();
    this.series.set(run, byName);
    for (const [name, value] of Object.entries(values)) {
      const s = byName.get(name) ?? { steps: [], values: [] };
      byName.set(name, s);
      let keep = s.steps.length;
      while (keep > 0 && s.steps[keep - 1]! >= step) keep--;
      s.steps.length = keep;
      s.values.length = keep;
      s.steps.push(step);
      s.values.push(value);
    }
    this.version++;
  }

  forget(run: RunId): void {
    this.series.delete(run);
    this.version++;
  }
}
