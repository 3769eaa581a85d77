/**
 * A line chart over training time that follows the one cursor: lines given as whole step series
 * (downsampled to the visible range and the plot's width), the x axis in steps, epochs or examples,
 * the markers, and a zoom that new data never resets. Moving the cursor redraws only its overlay.
 */
import type { ChartDataset } from 'chart.js';
import { axisScale, tickLabel, toAxis, type AxisScale } from './axis.js';
import { applyTheme, baseOptions, Chart, type ChartTheme } from './chart-setup.js';
import { withAlpha } from './colours.js';
import { attachPointer, cursorPlugin, drawCursor, type CursorHooks, type CursorState } from './cursor-plugin.js';
import { downsample } from './downsample.js';
import type { Marker } from './markers.js';

/** One line: a step series in a colour. */
export interface TimeLine {
  /** Stable across updates (the dataset is updated in place). */
  key: string;
  colour: string;
  steps: readonly number[];
  values: ArrayLike<number>;
  /** Thin and faint, behind the others (the raw line behind a smoothed one). */
  faint?: boolean;
  dashed?: boolean;
  /** A dot at every point (a sparse series such as evaluations, whose single points a line would hide). */
  dots?: boolean;
}

/** What a time chart shows; `update` takes any part of it. */
export interface TimeChartData {
  lines: readonly TimeLine[];
  /** The steps the x axis spans unless zoomed: the compared runs' timeline. */
  domain: { first: number; last: number };
  scale: AxisScale;
  markers: readonly Marker[];
}

/** The fewest steps a zoom shows. */
const MIN_ZOOM_STEPS = 8;

export class TimeChart {
  private readonly chart: Chart<'line'>;
  private readonly detach: () => void;
  private data: TimeChartData = {
    lines: [],
    domain: { first: 0, last: 1 },
    scale: axisScale('step', 0, 0),
    markers: [],
  };
  private cursor: CursorState;
  /** The zoomed step range, or null for the whole domain. */
  private zoom: { from: number; to: number } | null = null;
  private readonly hooks: CursorHooks;

  /**
   * @param canvas the chart's canvas, in a positioned box that sets its size
   * @param overlay a canvas laid exactly over it, for the cursor line
   * @param y the y axis's fixed ends (else fitted to the data) and whether its ticks are whole numbers (counts)
   */
  constructor(
    canvas: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
    theme: ChartTheme,
    hooks: Pick<CursorHooks, 'seek' | 'drawn'>,
    y: { min?: number; max?: number; integer?: boolean } = {},
  ) {
    this.cursor = { step: 0, scale: this.data.scale, markers: [], theme };
    this.hooks = {
      ...hooks,
      zoom: (step, factor) => this.zoomBy(step, factor),
      resetZoom: () => this.setZoom(null),
    };
    const options = baseOptions(theme);
    options.scales!['x']!.ticks!.callback = (value) => tickLabel(this.data.scale, Number(value));
    const yScale = options.scales!['y']!;
    Object.assign(yScale, { min: y.min, max: y.max });
    if (y.integer) yScale.ticks = { ...yScale.ticks, precision: 0 };
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options,
      plugins: [cursorPlugin(overlay, () => this.cursor, this.hooks)],
    });
    this.detach = attachPointer(this.chart, () => this.cursor, this.hooks);
  }

  /** The chart's canvas (a re-rendered element makes a new one, and needs a new chart). */
  get canvas(): HTMLCanvasElement {
    return this.chart.canvas;
  }

  /** Changes what is shown and redraws the chart once. */
  update(patch: Partial<TimeChartData>): void {
    this.data = { ...this.data, ...patch };
    this.cursor = { ...this.cursor, scale: this.data.scale, markers: this.data.markers };
    this.layout();
  }

  /** Moves the cursor line: only the overlay is redrawn. */
  setCursor(step: number): void {
    if (step === this.cursor.step) return;
    this.cursor = { ...this.cursor, step };
    drawCursor(this.chart, this.overlay, this.cursor, this.hooks);
  }

  setTheme(theme: ChartTheme): void {
    this.cursor = { ...this.cursor, theme };
    applyTheme(this.chart, theme);
    this.chart.update('none');
  }

  destroy(): void {
    this.detach();
    this.chart.destroy();
  }

  private range(): { from: number; to: number } {
    const { first, last } = this.data.domain;
    if (this.zoom === null) return { from: first, to: Math.max(last, first + 1) };
    return { from: Math.max(first, this.zoom.from), to: Math.min(Math.max(last, first + 1), this.zoom.to) };
  }

  private zoomBy(step: number, factor: number): void {
    const { from, to } = this.range();
    const next = { from: step - (step - from) * factor, to: step + (to - step) * factor };
    if (next.to - next.from < MIN_ZOOM_STEPS) return;
    const { first, last } = this.data.domain;
    this.setZoom(next.from <= first && next.to >= last ? null : next);
  }

  private setZoom(zoom: { from: number; to: number } | null): void {
    this.zoom = zoom;
    this.layout();
  }

  /** Downsamples every line to the visible range and updates the chart's datasets in place. */
  private layout(): void {
    const { from, to } = this.range();
    const { scale } = this.data;
    const buckets = Math.max(32, Math.round((this.chart.chartArea?.width ?? this.chart.width) / 2));
    const datasets = this.chart.data.datasets;
    this.data.lines.forEach((line, i) => {
      const points = downsample(line.steps, line.values, from, to, buckets).map((j) => ({
        x: toAxis(scale, line.steps[j]!),
        y: line.values[j]!,
      }));
      const dataset: ChartDataset<'line'> =
        datasets[i]?.label === line.key ? datasets[i] : { label: line.key, data: [] };
      dataset.data = points;
      dataset.borderColor = line.faint ? withAlpha(line.colour, 0.25) : line.colour;
      dataset.borderWidth = line.faint ? 1 : 1.75;
      dataset.borderDash = line.dashed ? [5, 4] : [];
      dataset.pointRadius = line.dots ? 2.5 : 0;
      dataset.pointBackgroundColor = line.colour;
      dataset.pointBorderWidth = 0;
      datasets[i] = dataset;
    });
    datasets.length = this.data.lines.length;
    const x = this.chart.options.scales!['x']!;
    x.min = toAxis(scale, from);
    x.max = toAxis(scale, to);
    this.chart.update('none');
  }
}
