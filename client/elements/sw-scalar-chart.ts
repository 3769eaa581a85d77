import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { readTheme, themeKey, ThemeWatch } from '../charts/chart-setup.js';
import { chartStyles, markerLegend, swatch } from '../charts/chart-styles.js';
import { lowerBound } from '../charts/downsample.js';
import type { Marker } from '../charts/markers.js';
import { debiasedEma } from '../charts/smoothing.js';
import { chartMarkers, chartScale, runLabel } from '../charts/time-context.js';
import { TimeChart, type TimeLine } from '../charts/time-chart.js';
import { ModelElement } from './model-element.js';

/** The scalar series a chart can show, with its title. */
const TITLES: Record<string, string> = {
  loss: 'Loss',
  testAccuracy: 'Test accuracy',
  robustAccuracy: 'Robust accuracy',
};
/** The cheap in-training PGD check drawn dashed beside the robust accuracy. */
const CHECK = 'robustAccuracyCheck';

/**
 * One scalar series of every compared run over training time (`name`: loss, testAccuracy or
 * robustAccuracy, which also shows the in-training check dashed), smoothed by the view's weight with
 * TensorBoard's debiased EMA over the faint raw line, with the cursor line and the markers.
 * `data-cursor-step` is the step its cursor line was last drawn at.
 */
@customElement('sw-scalar-chart')
export class SwScalarChart extends ModelElement {
  static override styles = chartStyles;

  /** The scalar series drawn. */
  @property() name = 'loss';

  private chart: TimeChart | undefined;
  private drawnData = '';
  private drawnTheme = '';
  private markers: Marker[] = [];
  /** Per shown line: its smoothed values (for the legend's reading at the cursor). */
  private smoothed = new Map<string, { steps: readonly number[]; values: ArrayLike<number> }>();

  /** Charts read the theme's colours: redraw when it changes. */
  private readonly themeWatch = new ThemeWatch(this);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = undefined;
    this.drawnData = this.drawnTheme = '';
  }

  override render() {
    const m = this.model;
    const runs = m?.compared ?? [];
    const empty = runs.every((r) => (m.scalars.get(r.id, this.name)?.steps.length ?? 0) === 0);
    const title = TITLES[this.name] ?? this.name;
    return html`<header>
        <h2>${title}</h2>
        <div class="legend">
          ${runs.map((r) => this.reading(r.id, runLabel(r), m.colour(r.id)))}
          ${
            this.name === 'robustAccuracy' && !empty
              ? html`<span>${swatch('currentColor', true)}in-training PGD check (cheap)</span>`
              : nothing
          }
        </div>
      </header>
      <div class="plot">
        <canvas role="img" aria-label="${title} per run over training steps"></canvas>
        <canvas class="cursor" aria-hidden="true"></canvas>
        ${empty && m?.loaded ? html`<div class="empty">${this.emptyText()}</div>` : nothing}
      </div>
      ${markerLegend(this.markers)}`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const m = this.model;
    if (m === undefined) return;
    const canvases = this.renderRoot.querySelectorAll('canvas');
    const theme = themeKey();
    this.chart ??= new TimeChart(canvases[0]!, canvases[1]!, readTheme(this), {
      seek: (step) => m.seek(step),
      drawn: (step) => this.setAttribute('data-cursor-step', String(step)),
    });
    if (theme !== this.drawnTheme) {
      if (this.drawnTheme !== '') this.chart.setTheme(readTheme(this));
      this.drawnTheme = theme;
    }
    const { first, last } = m.timeline;
    const data = [
      m.scalars.version,
      m.view.smoothing,
      m.view.axis,
      m.view.runs.join(),
      first,
      last,
      m.details.size,
    ].join();
    if (data !== this.drawnData) {
      this.drawnData = data;
      this.markers = chartMarkers(m);
      this.chart.update({ lines: this.lines(), domain: m.timeline, scale: chartScale(m), markers: this.markers });
      // The legend's readings and the markers' key come from what was just computed.
      this.requestUpdate();
    }
    this.chart.setCursor(m.step);
  }

  /** Per compared run: the raw line faint (when smoothed), the smoothed line, and the dashed check. */
  private lines(): TimeLine[] {
    const m = this.model;
    const weight = m.view.smoothing;
    this.smoothed.clear();
    const names = this.name === 'robustAccuracy' ? [this.name, CHECK] : [this.name];
    return m.compared.flatMap((run) =>
      names.flatMap((name) => {
        const series = m.scalars.get(run.id, name);
        if (series === undefined || series.steps.length === 0) return [];
        const colour = m.colour(run.id);
        // Copies: the store extends its arrays in place as steps arrive, and a chart relayout (a zoom) reads them later.
        const steps = series.steps.slice();
        const raw = series.values.slice();
        const values = weight > 0 ? debiasedEma(raw, weight) : raw;
        const key = `${run.id}:${name}`;
        if (name === this.name) this.smoothed.set(key, { steps, values });
        const common = { colour, steps, dashed: name === CHECK, dots: steps.length <= 60 };
        const smooth: TimeLine = { ...common, key, values };
        if (weight === 0) return [smooth];
        return [{ ...common, key: `${key}:raw`, values: raw, faint: true, dots: false }, smooth];
      }),
    );
  }

  /** A run's swatch, label and smoothed value at the cursor. */
  private reading(run: number, label: string, colour: string) {
    const line = this.smoothed.get(`${run}:${this.name}`);
    const at = line === undefined ? undefined : line.values[lowerBound(line.steps, this.model.step + 1) - 1];
    const value = at === undefined ? '–' : at.toPrecision(4);
    return html`<span>${swatch(colour)}${label} <strong>${value}</strong></span>`;
  }

  private emptyText(): string {
    const m = this.model;
    if (m.compared.length === 0) return 'no run chosen: tick a run in the list to chart it';
    if (this.name === 'loss') return 'no loss yet: the first training step is still running';
    const every = m.compared.map((r) => m.details.get(r.id)?.config.evalEvery).find((n) => n !== undefined);
    if (every === 0) return `no ${this.name} yet: this run evaluates only at its end`;
    return `no ${this.name} yet: evaluations happen every ${every ?? 'few'} steps`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-scalar-chart': SwScalarChart;
  }
}
