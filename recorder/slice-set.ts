import type { Dataset } from '../trainer/datasets/dataset.js';
import type { SliceSetId } from '../core/ids.js';
import type { NewSlice, StoredSlice, StoreWriter } from '../store/types.js';
import { buildPoint, type PointContext } from './build-point.js';
import { formatPoint, parsePoint, type PointSpec } from '../slices/points.js';

/** A slice to fix in a set: three point specs, a name and a resolution. */
export interface SliceSpec {
  name: string;
  a: PointSpec;
  b: PointSpec;
  c: PointSpec;
  resolution: number;
}

/**
 * The default slices for a dataset: three test images of different classes; an image, a random
 * perturbation of it and the grey centre; and, when a model for attacks is named (a finished
 * baseline's checkpoint), an image, its PGD adversarial and the grey centre.
 */
export function defaultSliceSpecs(dataset: Dataset, resolution: number, attackModel?: string): SliceSpec[] {
  const labels = dataset.test.labels;
  const firstOf = (label: number) => labels.indexOf(label);
  const [i, j, k] = [0, 1, 2].map((c) => firstOf(c)).map((x, n) => (x >= 0 ? x : n));
  const specs: SliceSpec[] = [
    {
      name: 'three classes',
      a: parsePoint(`test:${i}`),
      b: parsePoint(`test:${j}`),
      c: parsePoint(`test:${k}`),
      resolution,
    },
    {
      name: 'noise and centre',
      a: parsePoint(`test:${i}`),
      b: parsePoint(`noise(test:${i};l2=3;seed=1)`),
      c: parsePoint('grey'),
      resolution,
    },
  ];
  if (attackModel) {
    specs.unshift({
      name: 'adversarial and centre',
      a: parsePoint(`test:${i}`),
      b: parsePoint(`adv(test:${i};pgd-linf;model=${attackModel})`),
      c: parsePoint('grey'),
      resolution,
    });
  }
  return specs;
}

/** Builds the points of the specs and stores them as a named set; returns the set's id. */
export async function createSliceSet(
  store: Pick<StoreWriter, 'createSliceSet'>,
  name: string,
  specs: SliceSpec[],
  context: PointContext,
): Promise<SliceSetId> {
  const slices: NewSlice[] = [];
  for (const spec of specs) {
    const [a, b, c] = [
      await buildPoint(spec.a, context),
      await buildPoint(spec.b, context),
      await buildPoint(spec.c, context),
    ];
    slices.push({
      name: spec.name,
      points: { a: a.spec, b: b.spec, c: c.spec },
      vectors: { a: a.vector, b: b.vector, c: c.vector },
      resolution: spec.resolution,
    });
  }
  return store.createSliceSet(name, context.dataset.spec, slices);
}

/** One line per slice: its name and points. */
export function describeSlices(slices: StoredSlice[]): string {
  return slices
    .map(
      (s) =>
        `  ${s.name}: a = ${formatPoint(s.points.a)}, b = ${formatPoint(s.points.b)}, c = ${formatPoint(s.points.c)}`,
    )
    .join('\n');
}
