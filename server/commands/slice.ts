import { mkdirSync } from 'node:fs';
import { writeFileAtomically } from '../../core/files.js';
import { dirname } from 'node:path';
import type { Classifier } from '../../trainer/models/classifier.js';
import { buildPoint } from '../../recorder/build-point.js';
import { INFEASIBLE, SliceEvaluator, evaluateFrame } from '../../recorder/evaluate.js';
import { slicePointPixel, sliceGeometry } from '../../slices/geometry.js';
import { INFEASIBLE_COLOUR, paletteColours } from '../../slices/palette.js';
import { formatPoint } from '../../slices/points.js';
import { besideImages, renderLegend } from '../../slices/render.js';
import { renderPanel } from '../../videos/compose.js';
import { encodePng } from '../../slices/png.js';
import { parseOptions } from '../options.js';
import { loadModelAndDataset } from './common.js';
import { loadClassifier } from '../../trainer/load-classifier.js';
import { evaluationMode } from './common-options.js';
import { SLICE_OPTIONS } from './slice-options.js';

/**
 * `slicewatch slice`: the decision regions of a checkpoint on the plane through three points, as
 * a PNG (class colours, grey outside H, a, b, c marked, and the three images beside it) and a JSON
 * with the geometry, the points' provenance and probabilities, the profiles and the metrics.
 */
export async function sliceCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, SLICE_OPTIONS);
  const specs = { a: config.a, b: config.b, c: config.c };
  const { classifier, dataset, checkpoint } = await loadModelAndDataset(config);
  const self = classifier;
  const others = new Map<string, Classifier>();
  const context = {
    dataset,
    classifier: async (name: string) => {
      if (name === 'self') return self;
      if (!others.has(name)) others.set(name, (await loadClassifier(name)).classifier);
      return others.get(name)!;
    },
  };
  const a = await buildPoint(specs.a, context);
  const b = await buildPoint(specs.b, context);
  const c = await buildPoint(specs.c, context);
  const started = performance.now();
  const geometry = sliceGeometry(a.vector, b.vector, c.vector, { resolution: config.resolution });
  const evaluator = new SliceEvaluator(geometry, dataset.imageShape, config.batchSize);
  const mode = evaluationMode(config.mode, config.coarse);
  const classes = dataset.classNames.length;
  const frame = await evaluateFrame(
    evaluator,
    self,
    { a: a.vector, b: b.vector, c: c.vector },
    { mode, classes, profileSamples: config.profileSamples },
  );
  evaluator.dispose();
  const seconds = (performance.now() - started) / 1000;

  const points = { a, b, c };
  const names = ['a', 'b', 'c'] as const;
  const markers = names.map((name) => ({ name, ...slicePointPixel(geometry, name, points[name].vector) }));
  const panel = renderPanel(
    {
      frame,
      caption: names.map((name) => `${name} = ${formatPoint(points[name].spec)}`),
      markers,
      thumbnails: names.map((name) => ({ name, image: points[name].vector, shape: dataset.imageShape })),
      shade: config.shade,
      palette: config.palette,
    },
    config.scale,
  );
  const image = besideImages(panel, renderLegend(dataset.classNames, 2, config.palette));
  mkdirSync(dirname(config.out) || '.', { recursive: true });
  writeFileAtomically(`${config.out}.png`, encodePng(image.rgb, image.width, image.height));
  const probabilities = (row: number) =>
    Array.from(frame.pointProbabilities.subarray(row * classes, (row + 1) * classes));
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));
  const report = {
    checkpoint,
    dataset: dataset.spec,
    classNames: dataset.classNames,
    palette: {
      name: config.palette,
      classes: paletteColours(config.palette).slice(0, classes),
      infeasible: INFEASIBLE_COLOUR,
      infeasibleLabel: INFEASIBLE,
    },
    points: Object.fromEntries(
      (['a', 'b', 'c'] as const).map((name, i) => {
        const p = [a, b, c][i]!;
        const probs = probabilities(i);
        return [
          name,
          {
            spec: formatPoint(p.spec),
            json: p.spec,
            label: p.label,
            predicted: argmax(probs),
            probabilities: probs,
            pixel: markers[i],
          },
        ];
      }),
    ),
    geometry: {
      d: geometry.d,
      polygon: geometry.polygon,
      rect: geometry.rect,
      width: geometry.width,
      height: geometry.height,
      pixelSize: geometry.pixelSize,
      feasiblePixels: geometry.feasibleCount,
    },
    mode: config.mode === 'full' ? 'full' : `adaptive (coarse ${config.coarse})`,
    evaluatedPixels: frame.evaluated,
    seconds,
    metrics: frame.metrics,
    profiles: Object.fromEntries(
      ['a→b', 'b→c', 'c→a'].map((name, s) => [
        name,
        Array.from({ length: frame.profileSamples }, (_, k) =>
          Array.from(
            frame.profiles.subarray(
              (s * frame.profileSamples + k) * classes,
              (s * frame.profileSamples + k + 1) * classes,
            ),
          ),
        ),
      ]),
    ),
  };
  writeFileAtomically(`${config.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const name = (label: number | null) => (label === null ? '-' : dataset.classNames[label]);
  for (const [key, point] of Object.entries(report.points)) {
    process.stdout.write(
      `${key} = ${point.spec}: label ${name(point.label)}, predicted ${name(point.predicted)} (${(100 * Math.max(...point.probabilities)).toFixed(1)}%)\n`,
    );
  }
  process.stdout.write(
    `slice ${geometry.width}x${geometry.height}, ${geometry.feasibleCount} feasible pixels, ${frame.evaluated} evaluated in ${seconds.toFixed(2)} s; ` +
      `regions: ${frame.metrics.components
        .map((n, k) => (n ? `${dataset.classNames[k]}×${n}` : ''))
        .filter(Boolean)
        .join(' ')}\n`,
  );
  process.stdout.write(`wrote ${config.out}.png and ${config.out}.json\n`);
}
