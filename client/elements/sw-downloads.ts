import { css, html, nothing } from 'lit';
import type { DashboardEvent } from '../model/dashboard.js';
import { customElement, state } from 'lit/decorators.js';
import type { JobRecord } from '../../server/job-types.js';
import { scalarCsvUrl, scalarTableUrl, videoUrl } from '../model/api.js';
import { formatProgress, runLabel } from '../model/format.js';
import { DEFAULT_VIDEO_FORM, videoRequest, type VideoForm } from '../model/video-request.js';
import { controlStyles } from './control-styles.js';
import { ModelElement } from './model-element.js';
import { ViewWatch } from './view-watch.js';
import { styleProps } from './style-props.js';

/**
 * Downloads of the current selection: an MP4 of the compared runs side by side (all slices or the
 * focused one, a step range, every step or log-spaced, fps, scale, the page's palette) rendered by a
 * video job with its progress, Cancel and then a download link; and each compared run's scalars as CSV.
 */
@customElement('sw-downloads')
export class SwDownloads extends ModelElement {
  protected override modelEvents: DashboardEvent[] = ['data'];
  /** The view shown here: the compared runs and the focused slice. */
  private readonly viewWatch = new ViewWatch(this, (view) => `${view.runs.join()} ${view.slice}`);

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin: 16px 0;
        padding: 12px 16px;
        border: 1px solid var(--sw-border, #d0d7de);
        border-radius: 6px;
        background: var(--sw-panel, #f4f6f8);
      }
      h2 {
        font-size: 15px;
        margin: 0 0 8px;
      }
      h3 {
        font-size: 13px;
        margin: 12px 0 4px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 14px;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 4px;
      }
      input[type='number'] {
        width: 76px;
      }
      .job {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        margin-top: 10px;
      }
      [role='progressbar'] {
        width: 200px;
        height: 8px;
        border-radius: 4px;
        background: var(--sw-border, #d0d7de);
        overflow: hidden;
      }
      [role='progressbar'] div {
        height: 100%;
        background: var(--sw-accent, #0b63ce);
        transform-origin: left;
      }
      .error {
        color: #cf222e;
      }
      ul {
        margin: 0;
        padding-left: 18px;
      }
    `,
  ];

  @state() private form: VideoForm = DEFAULT_VIDEO_FORM;
  /** The video job this page started last. */
  @state() private jobId: string | null = null;

  override render() {
    const m = this.model;
    const runs = m.compared;
    if (runs.length === 0) return nothing;
    const { first, last } = m.timeline;
    const f = this.form;
    const focused = m.focusedSlice;
    const number = (key: 'frames' | 'fps' | 'scale' | 'from' | 'to') => (e: Event) => {
      const text = (e.target as HTMLInputElement).value;
      this.form = { ...this.form, [key]: text === '' ? null : Number(text) };
    };
    const job = this.jobId === null ? undefined : m.jobs.find((j) => j.id === this.jobId);
    const active = job !== undefined && (job.state === 'queued' || job.state === 'running');
    return html`<h2>Downloads</h2>
      <form @submit=${this.submit}>
        <label
          >Slices
          <select
            @change=${(e: Event) => (this.form = { ...f, slices: (e.target as HTMLSelectElement).value as 'all' })}
          >
            <option value="all" ?selected=${f.slices === 'all'}>all</option>
            <option value="focused" ?selected=${f.slices === 'focused'} ?disabled=${focused === undefined}>
              focused${focused === undefined ? '' : ` (${focused.name})`}
            </option>
          </select>
        </label>
        <label
          >From step
          <input
            type="number"
            min=${first}
            max=${last}
            placeholder=${String(first)}
            .value=${f.from === null ? '' : String(f.from)}
            @change=${number('from')}
          />
        </label>
        <label
          >to
          <input
            type="number"
            min=${first}
            max=${last}
            placeholder=${String(last)}
            .value=${f.to === null ? '' : String(f.to)}
            @change=${number('to')}
          />
        </label>
        <label
          >Time
          <select @change=${(e: Event) => (this.form = { ...f, time: (e.target as HTMLSelectElement).value as 'log' })}>
            <option value="every" ?selected=${f.time === 'every'}>every step</option>
            <option value="log" ?selected=${f.time === 'log'}>log-spaced</option>
          </select>
        </label>
        <label
          >Frames
          <input
            type="number"
            min="1"
            .value=${String(f.frames)}
            ?disabled=${f.time !== 'log'}
            @change=${number('frames')}
          />
        </label>
        <label>fps <input type="number" min="1" max="240" .value=${String(f.fps)} @change=${number('fps')} /> </label>
        <label
          >Scale <input type="number" min="1" max="32" .value=${String(f.scale)} @change=${number('scale')} />
        </label>
        <button class="primary" type="submit" ?disabled=${active || !m.jobsEnabled}>Render MP4</button>
        ${m.jobsEnabled ? nothing : html`<span class="muted">This server runs no jobs.</span>`}
      </form>
      ${job === undefined ? nothing : this.job(job, active)}
      <h3>Scalars as CSV</h3>
      <ul>
        ${runs.map((run) => {
          const names = m.details.get(run.id)?.scalarNames ?? [];
          const label = runLabel(run.name);
          return html`<li>
            <a href=${scalarTableUrl(run.id)} download>${label}: every series</a>
            <span class="muted"
              >(or one:
              ${names.map(
                (name, i) =>
                  html`${i > 0 ? ' ' : ''}<a
                      href=${scalarCsvUrl(run.id, name)}
                      download
                      aria-label="${label} ${name} CSV"
                      >${name}</a
                    >`,
              )})</span
            >
          </li>`;
        })}
      </ul>`;
  }

  private job(job: JobRecord, active: boolean) {
    const percent = Math.round(job.progress * 100);
    return html`<div class="job" aria-live="polite">
      <div
        role="progressbar"
        aria-label="MP4 render"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${percent}
        aria-valuetext="${job.state}, ${formatProgress(job.progress)}"
      >
        <div style=${styleProps({ transform: `scaleX(${job.progress})` })}></div>
      </div>
      <span>${job.state} ${formatProgress(job.progress)}</span>
      <span class="muted">${job.message}</span>
      ${active ? html`<button @click=${() => void this.model.cancelJob(job.id)}>Cancel</button>` : nothing}
      ${job.state === 'done' ? html`<a href=${videoUrl(job.id)} download>Download MP4</a>` : nothing}
      ${job.error !== null ? html`<span class="error">${job.error}</span>` : nothing}
    </div>`;
  }

  private readonly submit = (event: SubmitEvent) => {
    event.preventDefault();
    const m = this.model;
    const request = videoRequest(this.form, {
      runs: m.compared.map((r) => r.name),
      focusedPosition: m.focusedSlice?.position,
      palette: m.view.palette,
      timeline: m.timeline,
    });
    void m.startJob(request).then((job) => {
      if (job !== undefined) this.jobId = job.id;
    });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-downloads': SwDownloads;
  }
}
