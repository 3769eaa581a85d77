import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { readTheme, themeKey, ThemeWatch } from '../charts/chart-setup.js';
import { chartStyles, markerLegend, swatch } from '../charts/chart-styles.js';
import { classColours } from '../charts/colours.js';
import type { Marker } from '../charts/markers.js';
import { MetricStore, type MetricSeries } from '../charts/metric-store.js';
import { chartMarkers, chartScale, runLabel } from '../charts/time-context.js';
import { TimeChart, type TimeLine } from '../charts/time-chart.js';
import { api } from '../model/api.js';
import { ModelElement } from './model-element.js';

/** The metrics a user can chart: per class (a chart per run) or per run (one chart). */
const METRICS = {
  area: { label: 'area per class', perClass: true },
  components: { label: 'connected components per class', perClass: true },
  flipped: { label: 'pixels flipped per step', perClass: false },
  boundary: { label: 'boundary pixels', perClass: false },
} as const;
type MetricName = keyof typeof METRICS;

/** A chart of the element: one run's classes, or every run's line. */
interface Panel {
  key: string;
  title: string;
  colour: string | undefined;
  lines: TimeLine[];
}

/**
 * The focused slice's metrics over training time for each compared run (slices/metrics.ts, from
 * GET /api/runs/:runId/slices/:sliceId/metrics): area or connected components per class (a chart
 * per run, lines in the class palette), pixels flipped per step or boundary pixels (a line per run
 * in its colour), with the cursor line and the markers. `data-cursor-step` is the step its cursor
 * line was last drawn at.
 */
@customElement('sw-metric-chart')
export class SwMetricChart extends ModelElement {
  static override styles = [
    chartStyles,
    css`
      .panels {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
        gap: 8px 16px;
      }
      h3 {
        font-size: 12px;
        font-weight: 600;
        margin: 0 0 2px;
      }
      select {
        font: inherit;
        font-size: 12px;
      }
    `,
  ];

  @state() private metric: MetricName = 'area';
  private readonly store = new MetricStore(
    (run, slice, from, to) => api.sliceMetrics(run, slice, from, to),
    () => {
      this.version++;
      this.requestUpdate();
    },
  );
  private version = 0;
  private panels: Panel[] = [];
  private markers: Marker[] = [];
  private readonly charts = new Map<string, TimeChart>();
  private drawnData = '';
  private drawnAxes = '';
  private drawnTheme = '';

  /** Charts read the theme's colours: redraw when it changes. */
  private readonly themeWatch = new ThemeWatch(this);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.drawnData = this.drawnAxes = this.drawnTheme = '';
  }

  override render() {
    const m = this.model;
    const slice = m?.focusedSlice;
    const perClass = METRICS[this.metric].perClass;
    const colours = classColours(m?.view.palette ?? 'default');
    const names = m?.sliceSet?.classNames ?? [];
    return html`<header>
        <h2>Slice metrics${slice ? html` · ${slice.name}` : nothing}</h2>
        <select aria-label="slice metric" @change=${(e: Event) => this.choose((e.target as HTMLSelectElement).value)}>
          ${Object.entries(METRICS).map(([key, { label }]) => html`<option value=${key} ?selected=${key === this.metric}>${label}</option>`)}
        </select>
        <div class="legend">
          ${
            perClass
              ? names.map((name, k) => html`<span>${swatch(colours[k] ?? 'grey')}${name}</span>`)
              : (m?.compared ?? []).map((r) => html`<span>${swatch(m.colour(r.id))}${runLabel(r)}</span>`)
          }
        </div>
      </header>
      ${this.status() ?? nothing}
      <div class="panels">
        ${repeat(
          this.panels,
          (p) => p.key,
          (p) =>
            html`<div>
              ${p.title ? html`<h3>${swatch(p.colour ?? 'grey')}${p.title}</h3>` : nothing}
              <div class="plot">
                <canvas data-panel=${p.key} role="img" aria-label="${METRICS[this.metric].label} ${p.title}"></canvas>
                <canvas class="cursor" aria-hidden="true"></canvas>
              </div>
            </div>`,
        )}
      </div>
      ${this.panels.length > 0 ? markerLegend(this.markers) : nothing}`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const m = this.model;
    if (m === undefined) return;
    const slice = m.focusedSlice;
    const runs = m.compared;
    // The panels' lines are rebuilt only when their metrics may have changed (not on every scalar push).
    const fetched = [
      this.version,
      this.metric,
      slice?.id,
      runs.map((r) => `${r.id}@${r.step}`).join(),
      m.view.palette,
    ].join();
    const axes = [m.view.axis, m.details.size, m.timeline.first, m.timeline.last].join();
    const markers = chartMarkers(m);
    const dataChanged = fetched !== this.drawnData || axes !== this.drawnAxes || markers !== this.markers;
    this.markers = markers;
    this.drawnAxes = axes;
    if (fetched !== this.drawnData) {
      this.drawnData = fetched;
      this.panels = this.panelsOf(runs.map((r) => (slice ? this.store.get(r.id, slice.id, r.step) : undefined)));
      // The panels' canvases are rendered from what was just computed; their charts follow below.
      this.requestUpdate();
    }
    const theme = themeKey();
    const themeChanged = theme !== this.drawnTheme;
    this.drawnTheme = theme;
    this.syncCharts(dataChanged, themeChanged);
    for (const chart of this.charts.values()) chart.setCursor(m.step);
  }

  private syncCharts(dataChanged: boolean, themeChanged: boolean): void {
    const m = this.model;
    const plots = new Map(
      [...this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-panel]')].map((c) => [
        c.dataset['panel']!,
        c,
      ]),
    );
    for (const [key, chart] of this.charts) {
      if (plots.has(key) && chart.canvas === plots.get(key)) continue;
      chart.destroy();
      this.charts.delete(key);
    }
    const scale = chartScale(m);
    for (const panel of this.panels) {
      const canvas = plots.get(panel.key);
      if (canvas === undefined) continue;
      let chart = this.charts.get(panel.key);
      if (chart === undefined) {
        chart = new TimeChart(
          canvas,
          canvas.nextElementSibling as HTMLCanvasElement,
          readTheme(this),
          { seek: (step) => m.seek(step), drawn: (step) => this.setAttribute('data-cursor-step', String(step)) },
          this.metric === 'area' ? { min: 0, max: 1 } : { min: 0, integer: true },
        );
        this.charts.set(panel.key, chart);
      } else if (themeChanged) chart.setTheme(readTheme(this));
      else if (!dataChanged) continue;
      chart.update({ lines: panel.lines, domain: m.timeline, scale, markers: this.markers });
    }
  }

  private panelsOf(series: (MetricSeries | undefined)[]): Panel[] {
    const m = this.model;
    const metric = this.metric;
    if (metric === 'flipped' || metric === 'boundary') {
      const lines = m.compared.flatMap((run, i) => {
        const s = series[i];
        return s ? [{ key: String(run.id), colour: m.colour(run.id), steps: s.steps, values: s[metric] }] : [];
      });
      return lines.length > 0 ? [{ key: metric, title: '', colour: undefined, lines }] : [];
    }
    const colours = classColours(m.view.palette);
    return m.compared.flatMap((run, i) => {
      const s = series[i];
      if (s === undefined) return [];
      const classes = Math.max(0, ...s[metric].map((row) => row.length));
      const lines = Array.from({ length: classes }, (_, c) => ({
        key: `${run.id}:${c}`,
        colour: colours[c] ?? 'grey',
        steps: s.steps,
        values: s[metric].map((row) => row[c] ?? NaN),
      })).filter((line) => line.values.some((v) => v > 0));
      return [{ key: `${metric}:${run.id}`, title: runLabel(run), colour: m.colour(run.id), lines }];
    });
  }

  private choose(value: string): void {
    if (value in METRICS) this.metric = value as MetricName;
  }

  /** What to say instead of (or before) the charts: no slice, not available, loading. */
  private status() {
    const m = this.model;
    if (m === undefined || !m.loaded) return undefined;
    let text: string | undefined;
    if (m.focusedSlice === undefined) text = 'no slice to measure: choose a run that records slices';
    else if (this.panels.length === 0 && this.store.error !== null)
      text = `slice metrics not available: ${this.store.error}`;
    else if (this.panels.length === 0 && m.compared.length > 0) text = 'loading slice metrics…';
    return text === undefined ? undefined : html`<div class="plot"><div class="empty">${text}</div></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-metric-chart': SwMetricChart;
  }
}
