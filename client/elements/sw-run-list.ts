import { css, html, nothing } from 'lit';
import type { DashboardEvent } from '../model/dashboard.js';
import { customElement, state } from 'lit/decorators.js';
import type { RunId } from '../../core/ids.js';
import type { JobRecord, TrainPreset } from '../../server/job-types.js';
import type { RunSummary } from '../../server/protocol.js';
import { api } from '../model/api.js';
import { MAX_COMPARED } from '../model/dashboard.js';
import { formatMetric, formatPercent, runLabel } from '../model/format.js';
import { controlStyles } from './control-styles.js';
import { ModelElement } from './model-element.js';
import { ViewWatch } from './view-watch.js';
import { styleProps } from './style-props.js';
import './sw-train-form.js';

/** Jobs still going: a running run can be stopped through them. */
const ACTIVE = new Set<JobRecord['state']>(['queued', 'running']);

/**
 * Every run in the store, newest first: its colour (the same in every chart), name, status, backend,
 * progress and newest numbers, a checkbox choosing it for comparison (a history entry, so Back undoes
 * it), and Stop for a run the server is training. Below, the form that starts a preset run
 * (`<sw-train-form>`) and the training jobs' progress.
 */
@customElement('sw-run-list')
export class SwRunList extends ModelElement {
  protected override modelEvents: DashboardEvent[] = ['data'];
  /** The view shown here: the compared runs. */
  private readonly viewWatch = new ViewWatch(this, (view) => view.runs.join());

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        padding: 12px;
      }
      h2 {
        font-size: 14px;
        margin: 0 0 8px;
        text-transform: uppercase;
        letter-spacing: 0.05em;
        color: var(--sw-muted, #5b6775);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: auto auto 1fr auto;
        align-items: center;
        gap: 2px 8px;
        padding: 8px 4px;
        border-bottom: 1px solid var(--sw-border, #d0d7de);
      }
      .swatch {
        width: 12px;
        height: 12px;
        border-radius: 3px;
        background: var(--run-colour);
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .details {
        grid-column: 2 / -1;
        display: flex;
        flex-wrap: wrap;
        gap: 2px 10px;
        font-size: 12px;
        color: var(--sw-muted, #5b6775);
        font-variant-numeric: tabular-nums;
      }
      .details b {
        font-weight: 500;
        color: var(--sw-fg, #1b1f24);
      }
      progress {
        grid-column: 2 / -1;
        width: 100%;
        height: 6px;
      }
      .badge {
        font-size: 11px;
        padding: 1px 6px;
        border-radius: 8px;
        border: 1px solid currentColor;
      }
      .running {
        color: #1a7f37;
      }
      .failed {
        color: #cf222e;
        cursor: help;
      }
      .interrupted {
        color: #9a6700;
      }
      .completed,
      .stopped {
        color: var(--sw-muted, #5b6775);
      }
      .stop {
        grid-column: 2 / -1;
        justify-self: start;
      }
      .empty {
        color: var(--sw-muted, #5b6775);
      }
    `,
  ];

  /** Errors of failed runs whose detail the model has not loaded, fetched once each. */
  @state() private errors = new Map<RunId, string>();
  private readonly asked = new Set<RunId>();

  override render() {
    const m = this.model;
    const full = m.view.runs.length >= MAX_COMPARED;
    return html`<h2>Runs</h2>
      ${m.runs.length === 0 && m.loaded ? html`<p class="empty">No runs yet.</p>` : nothing}
      <ul>
        ${m.runs.map((run) => this.row(run, full))}
      </ul>
      ${full ? html`<p class="empty">At most ${MAX_COMPARED} runs are compared at once.</p>` : nothing}
      <sw-train-form .model=${m}></sw-train-form>`;
  }

  /** Starts a preset run with a fresh name (the empty page's button). */
  startRun(preset: TrainPreset): Promise<void> {
    return this.renderRoot.querySelector('sw-train-form')!.start(preset);
  }

  private row(run: RunSummary, full: boolean) {
    const m = this.model;
    const label = runLabel(run.name);
    const compared = m.view.runs.includes(run.id);
    const job = m.jobs.find((j) => j.kind === 'train' && j.runId === run.id && ACTIVE.has(j.state));
    const error = run.status === 'failed' ? this.errorOf(run.id) : undefined;
    return html`<li style=${styleProps({ '--run-colour': m.colour(run.id) })}>
      <input
        type="checkbox"
        aria-label="compare ${label}"
        title="Compare ${run.name}"
        .checked=${compared}
        ?disabled=${!compared && full}
        @change=${(e: Event) => this.compare(run.id, (e.target as HTMLInputElement).checked)}
      />
      <span class="swatch" aria-hidden="true"></span>
      <span class="name" title=${run.name}>${label}</span>
      <span class="badge ${run.status}" title=${error ?? run.status}
        >${run.status}${error === undefined ? nothing : html`<span class="visually-hidden">: ${error}</span>`}</span
      >
      <span class="details">
        <span>${run.backend}</span>
        <span>step <b>${run.step}</b> / ${run.totalSteps}</span>
        <span>loss <b>${formatMetric(run.loss)}</b></span>
        <span>test <b>${formatPercent(run.accuracy)}</b></span>
        <span>robust <b>${formatPercent(run.robustAccuracy)}</b></span>
      </span>
      ${
        run.status === 'running'
          ? html`<progress
              max=${run.totalSteps}
              .value=${run.step}
              aria-label="${label}: step ${run.step} of ${run.totalSteps}"
            ></progress>`
          : nothing
      }
      ${
        run.status === 'running' && job !== undefined
          ? html`<button class="stop" aria-label="Stop ${label}" @click=${() => void m.cancelJob(job.id)}>Stop</button>`
          : nothing
      }
    </li>`;
  }

  private compare(id: RunId, on: boolean): void {
    const runs = this.model.view.runs.filter((r) => r !== id);
    if (on && runs.length < MAX_COMPARED) runs.push(id);
    this.model.setView({ runs }, 'push');
  }

  /** A failed run's error: from its detail when the model has it, else fetched once. */
  private errorOf(id: RunId): string | undefined {
    const known = this.model.details.get(id)?.error ?? this.errors.get(id);
    if (known !== undefined && known !== null) return known;
    if (!this.asked.has(id)) {
      this.asked.add(id);
      void api
        .run(id)
        .then((detail) => {
          if (detail.error !== null) this.errors = new Map(this.errors).set(id, detail.error);
        })
        .catch(() => undefined);
    }
    return undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-run-list': SwRunList;
  }
}
