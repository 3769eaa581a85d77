import { mkdirSync } from 'node:fs';
import { writeFileAtomically } from '../../core/files.js';
import { dirname } from 'node:path';
import { buildPoint } from '../../recorder/build-point.js';
import { churchWindows } from '../../slices/church-window.js';
import { SliceEvaluator } from '../../recorder/evaluate.js';
import { frameMetrics } from '../../slices/metrics.js';
import { formatPoint } from '../../slices/points.js';
import { besideImages, renderLegend, renderRegions, tileImages } from '../../slices/render.js';
import { sub, norm } from '../../slices/vector.js';
import { encodePng } from '../../slices/png.js';
import { parseOptions } from '../options.js';
import { CHURCH_WINDOW_OPTIONS } from './church-window-options.js';
import { loadModelAndDataset } from './common.js';

/**
 * `slicewatch church-window`: the paper's Figure 4 for one image — windows of the adversarial
 * direction against random ones (top rows) and of random against random (bottom rows), each
 * centred on the image (marked) and of the same half-width — as one PNG and a JSON.
 */
export async function churchWindowCommand(argv: string[]): Promise<void> {
  const config = parseOptions(argv, CHURCH_WINDOW_OPTIONS);
  const centreSpec = config.point;
  const { classifier, dataset } = await loadModelAndDataset(config);
  const context = { dataset, classifier: async () => classifier };
  const centre = await buildPoint(centreSpec, context);
  const adversarial = await buildPoint(
    { kind: 'adversarial', of: centreSpec, attack: config.attack, model: 'self', target: null },
    context,
  );
  const direction = sub(adversarial.vector, centre.vector);
  const length = norm(direction);
  const halfWidth = config.halfWidth > 0 ? config.halfWidth : 2 * length;
  const windows = churchWindows(centre.vector, direction, {
    halfWidth,
    resolution: config.resolution,
    count: config.count,
  });
  const classes = dataset.classNames.length;
  const images = [];
  const summary = [];
  for (const window of windows) {
    const evaluator = new SliceEvaluator(window.geometry, dataset.imageShape, config.batchSize);
    const { labels, confidence } = await evaluator.evaluate(classifier);
    evaluator.dispose();
    const middle = Math.floor(config.resolution / 2);
    images.push(
      renderRegions(labels, confidence, config.resolution, config.resolution, {
        scale: config.scale,
        markers: [{ x: middle, y: middle, name: 'x' }],
      }),
    );
    const metrics = frameMetrics(labels, config.resolution, config.resolution, classes);
    summary.push({
      along: window.along,
      across: window.across,
      feasiblePixels: window.geometry.feasibleCount,
      area: metrics.area,
      components: metrics.components,
    });
  }
  const columns = Math.min(6, config.count);
  const grid = besideImages(tileImages(images, columns), renderLegend(dataset.classNames));
  mkdirSync(dirname(config.out) || '.', { recursive: true });
  writeFileAtomically(`${config.out}.png`, encodePng(grid.rgb, grid.width, grid.height));
  const report = {
    point: formatPoint(centreSpec),
    adversarial: formatPoint(adversarial.spec),
    perturbationL2: length,
    halfWidth,
    layout: `${columns} columns; the first ${config.count} windows have the adversarial direction along s (horizontal), the rest are random against random`,
    classNames: dataset.classNames,
    windows: summary,
  };
  writeFileAtomically(`${config.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${windows.length} windows of half-width ${halfWidth.toFixed(3)} around ${report.point} (adversarial perturbation L2 ${length.toFixed(3)})\n` +
      `wrote ${config.out}.png and ${config.out}.json\n`,
  );
}
