import { css, html, nothing } from 'lit';
import type { DashboardEvent } from '../model/dashboard.js';
import { customElement, state } from 'lit/decorators.js';
import { TRAIN_PRESETS, type JobRecord, type TrainPreset } from '../../server/job-types.js';
import { MAX_COMPARED } from '../model/dashboard.js';
import { formatProgress, freshRunName, runLabel } from '../model/format.js';
import { controlStyles } from './control-styles.js';
import { ModelElement } from './model-element.js';
import { ViewWatch } from './view-watch.js';

/** Steps a run started from the page trains by default. */
export const DEFAULT_TRAIN_STEPS = 1000;
/** Training jobs listed at most (the newest). */
const JOBS_SHOWN = 5;

/**
 * Starts a preset training run on the server (a `train` job: preset, name, steps, dataset) and shows
 * the training jobs' progress, with Stop (which cancels the job). A run started here is compared as
 * soon as it exists.
 */
@customElement('sw-train-form')
export class SwTrainForm extends ModelElement {
  protected override modelEvents: DashboardEvent[] = ['data'];
  /** The view read here: the compared runs. */
  private readonly viewWatch = new ViewWatch(this, (view) => view.runs.join());

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin-top: 16px;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
      }
      form {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 6px 8px;
        align-items: center;
        margin-top: 8px;
      }
      form button {
        grid-column: 2;
        justify-self: start;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 8px 0 0;
        font-size: 12px;
      }
      li {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 2px 8px;
        align-items: center;
        padding: 4px 0;
      }
      li progress {
        width: 100%;
      }
      .error {
        grid-column: 1 / -1;
        color: #cf222e;
      }
      .muted {
        grid-column: 1 / -1;
      }
    `,
  ];

  /** Jobs this page started, by id, with the run names they asked for. */
  @state() private started = new Map<string, string>();
  /** Jobs this page started whose run is not compared yet. */
  private readonly awaiting = new Set<string>();
  @state() private preset: TrainPreset = 'baseline';

  override render() {
    const m = this.model;
    if (!m.loaded) return nothing;
    if (!m.jobsEnabled) return html`<p class="muted">This server runs no jobs: start runs from a terminal.</p>`;
    const jobs = m.jobs.filter((j) => j.kind === 'train').slice(0, JOBS_SHOWN);
    return html`<details ?open=${m.runs.length === 0}>
        <summary>Start run</summary>
        <form @submit=${this.submit}>
          <label for="preset">Preset</label>
          <select
            id="preset"
            name="preset"
            @change=${(e: Event) => (this.preset = (e.target as HTMLSelectElement).value as TrainPreset)}
          >
            ${TRAIN_PRESETS.map((p) => html`<option value=${p} ?selected=${p === this.preset}>${p}</option>`)}
          </select>
          <label for="name">Name</label>
          <input
            id="name"
            name="name"
            type="text"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}"
            .value=${this.freshName(this.preset)}
          />
          <label for="steps">Steps</label>
          <input id="steps" name="steps" type="number" min="1" required .value=${String(DEFAULT_TRAIN_STEPS)} />
          <label for="dataset">Dataset</label>
          <select id="dataset" name="dataset">
            <option value="mnist">mnist</option>
          </select>
          <button class="primary" type="submit">Start run</button>
        </form>
      </details>
      ${
        jobs.length > 0
          ? html`<ul aria-label="Training jobs">
              ${jobs.map((job) => this.job(job))}
            </ul>`
          : nothing
      }`;
  }

  /** Starts a run of `preset`, named as the form says (or a fresh name), for `steps` steps. */
  async start(preset: TrainPreset, name = this.freshName(preset), steps = DEFAULT_TRAIN_STEPS): Promise<void> {
    const job = await this.model.startJob({ kind: 'train', preset, name, steps, dataset: 'mnist' });
    if (job === undefined) return;
    this.started = new Map(this.started).set(job.id, name);
    this.awaiting.add(job.id);
  }

  protected override willUpdate(): void {
    super.willUpdate();
    this.compareStarted();
  }

  private job(job: JobRecord) {
    const run = this.model.runs.find((r) => r.id === job.runId);
    const name = this.started.get(job.id) ?? (run === undefined ? `job ${job.id}` : runLabel(run.name));
    const active = job.state === 'queued' || job.state === 'running';
    return html`<li>
      <span>${name}: ${job.state}${active ? ` ${formatProgress(job.progress)}` : ''}</span>
      ${
        active
          ? html`<button aria-label="Stop training ${name}" @click=${() => void this.model.cancelJob(job.id)}>
              Stop
            </button>`
          : html`<span></span>`
      }
      ${
        active
          ? html`<progress max="1" .value=${job.progress} aria-label="Training ${name}"></progress>
              <span class="muted">${job.message}</span>`
          : nothing
      }
      ${job.error !== null ? html`<span class="error">${job.error}</span>` : nothing}
    </li>`;
  }

  private freshName(preset: TrainPreset): string {
    return freshRunName(preset, [...this.model.runs.map((r) => r.name), ...this.started.values()]);
  }

  private readonly submit = (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    void this.start(this.preset, String(data.get('name')), Number(data.get('steps')));
  };

  /** A run this page started is compared once the server names it (while there is room). */
  private compareStarted(): void {
    const m = this.model;
    for (const job of m.jobs) {
      if (!this.awaiting.has(job.id) || job.runId === null || !m.runs.some((r) => r.id === job.runId)) continue;
      this.awaiting.delete(job.id);
      if (!m.view.runs.includes(job.runId) && m.view.runs.length < MAX_COMPARED)
        m.setView({ runs: [...m.view.runs, job.runId] }, 'push');
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-train-form': SwTrainForm;
  }
}
