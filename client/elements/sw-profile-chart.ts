import type { ChartDataset } from 'chart.js';
import { css, html, nothing, type PropertyValues } from 'lit';
import { customElement } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { RunId } from '../../core/ids.js';
import { applyTheme, baseOptions, Chart, readTheme, themeKey, ThemeWatch } from '../charts/chart-setup.js';
import { chartStyles, swatch } from '../charts/chart-styles.js';
import { classColours } from '../charts/colours.js';
import { PROFILE_TICKS, profileLines } from '../charts/profile-data.js';
import { runLabel } from '../charts/time-context.js';
import { ModelElement } from './model-element.js';

/**
 * The class probabilities along a→b, b→c and c→a (the paper's Figure 7) of the focused slice at the
 * cursor's step: a small chart per compared run, one line per class in the class palette. Moving
 * the cursor replaces the lines' data only. `data-cursor-step` is the step last drawn for every run.
 */
@customElement('sw-profile-chart')
export class SwProfileChart extends ModelElement {
  static override styles = [
    chartStyles,
    css`
      .runs {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
        gap: 8px 16px;
      }
      h3 {
        font-size: 12px;
        font-weight: 600;
        margin: 0 0 2px;
      }
    `,
  ];

  private readonly charts = new Map<RunId, Chart<'line'>>();
  private drawnTheme = '';
  /** What each run's chart last drew: slice, step and palette. */
  private readonly drawn = new Map<RunId, string>();

  /** Charts read the theme's colours: redraw when it changes. */
  private readonly themeWatch = new ThemeWatch(this);

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.drawn.clear();
    this.drawnTheme = '';
  }

  override render() {
    const m = this.model;
    const slice = m?.focusedSlice;
    const names = m?.sliceSet?.classNames ?? [];
    const colours = classColours(m?.view.palette ?? 'default');
    return html`<header>
        <h2>Probabilities along a → b → c → a${slice ? html` · ${slice.name}` : nothing}</h2>
        <div class="legend">${names.map((name, k) => html`<span>${swatch(colours[k] ?? 'grey')}${name}</span>`)}</div>
      </header>
      ${
        slice === undefined
          ? html`<div class="plot"><div class="empty">no slice to profile: choose a run that records slices</div></div>`
          : html`<div class="runs">
              ${repeat(
                m.compared,
                (r) => r.id,
                (r) =>
                  html`<div>
                    <h3>
                      ${swatch(m.colour(r.id))}${runLabel(r)}${profileAgeNote(m.frame(r.id, slice.id, m.step)?.profileAge)}
                    </h3>
                    <div class="plot">
                      <canvas
                        data-run=${r.id}
                        role="img"
                        aria-label="class probabilities along a, b, c of ${runLabel(r)}"
                      ></canvas>
                    </div>
                  </div>`,
              )}
            </div>`
      }`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const m = this.model;
    const slice = m?.focusedSlice;
    if (slice === undefined) return;
    const theme = themeKey();
    const themeChanged = theme !== this.drawnTheme;
    this.drawnTheme = theme;
    const colours = classColours(m.view.palette);
    const step = m.step;
    let complete = true;
    const canvases = new Map([...this.renderRoot.querySelectorAll('canvas')].map((c) => [Number(c.dataset['run']), c]));
    for (const [run, chart] of this.charts) {
      if (canvases.get(run) === chart.canvas) continue;
      chart.destroy();
      this.charts.delete(run);
      this.drawn.delete(run);
    }
    for (const [run, canvas] of canvases) {
      const id = run as RunId;
      let chart = this.charts.get(id);
      if (chart === undefined) {
        chart = this.createChart(canvas);
        this.charts.set(id, chart);
      } else if (themeChanged) {
        applyTheme(chart, readTheme(this));
        chart.update('none');
      }
      const frame = m.frame(id, slice.id, step);
      if (frame === undefined) {
        complete = false;
        continue;
      }
      const key = `${slice.id}:${step}:${m.view.palette}`;
      if (this.drawn.get(id) === key) continue;
      this.drawn.set(id, key);
      const datasets = chart.data.datasets;
      profileLines(frame).forEach((points, k) => {
        const dataset: ChartDataset<'line'> = datasets[k] ?? { data: [] };
        dataset.data = points;
        dataset.label = m.sliceSet?.classNames[k] ?? String(k);
        dataset.borderColor = colours[k] ?? 'grey';
        datasets[k] = dataset;
      });
      datasets.length = frame.classes;
      chart.update('none');
    }
    if (complete) this.setAttribute('data-cursor-step', String(step));
  }

  private createChart(canvas: HTMLCanvasElement): Chart<'line'> {
    const options = baseOptions(readTheme(this));
    const x = options.scales!['x']!;
    Object.assign(x, { min: 0, max: 3 });
    x.ticks = { ...x.ticks, stepSize: 1, callback: (v) => PROFILE_TICKS[Number(v)] ?? '' };
    Object.assign(options.scales!['y']!, { min: 0, max: 1 });
    return new Chart(canvas, { type: 'line', data: { datasets: [] }, options });
  }
}

/** Temporal recording evaluates profiles every few frames: say when the ones shown are older. */
function profileAgeNote(age: number | undefined) {
  if (!age) return nothing;
  return html` <small title="temporal recording evaluates the profiles every few frames and carries them between"
    >· from ${age} frame${age === 1 ? '' : 's'} earlier</small
  >`;
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-profile-chart': SwProfileChart;
  }
}
