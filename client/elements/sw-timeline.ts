import { css, html, nothing } from 'lit';
import { customElement } from 'lit/decorators.js';
import { formatEpoch, formatExamples } from '../model/format.js';
import { MAX_FPS, TIME_AXES, type TimeAxis } from '../model/view-state.js';
import { controlStyles } from './control-styles.js';
import { ModelElement } from './model-element.js';

/** The most smoothing the slider offers (TensorBoard's weight; 1 would never move). */
const MAX_SMOOTHING = 0.99;

/** The buttons' icons, drawn in the text colour (the system fonts may lack the media symbols). */
const icon = (path: string) =>
  html`<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d=${path} fill="currentColor" /></svg>`;
const ICONS = {
  back: icon('M3 3h2v10H3zM14 3v10L6 8z'),
  play: icon('M4 2v12l10-6z'),
  pause: icon('M3 2h4v12H3zM9 2h4v12H9z'),
  forward: icon('M11 3h2v10h-2zM2 3v10l8-5z'),
};

/**
 * The time controls of the one cursor: play/pause, step back/forward, follow live, a slider over
 * the compared runs' steps, the cursor's step with its epoch and examples seen, the playback speed,
 * the charts' x axis and their smoothing. The keyboard shortcuts are sw-app's.
 */
@customElement('sw-timeline')
export class SwTimeline extends ModelElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 6px 12px;
        padding: 8px 0;
      }
      .buttons {
        display: flex;
        gap: 4px;
      }
      .buttons button {
        min-width: 32px;
      }
      button.live {
        font-weight: 600;
        letter-spacing: 0.02em;
      }
      button.live[aria-pressed='true'] {
        background: #cf222e;
        border-color: #cf222e;
        color: #fff;
      }
      .scrub {
        display: block;
        width: 100%;
        margin: 0 0 8px;
      }
      .spacer {
        flex: 1;
      }
      .where {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      [data-testid='step'] {
        font-weight: 600;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        white-space: nowrap;
      }
      input[type='number'] {
        width: 56px;
      }
      input.smoothing {
        width: 72px;
      }
      output {
        font-variant-numeric: tabular-nums;
        min-width: 2.5em;
      }
    `,
  ];

  override render() {
    const m = this.model;
    const view = m.view;
    const { first, last } = m.timeline;
    const step = m.step;
    const none = last === 0;
    const playing = view.play === 'playing';
    const following = view.play === 'following';
    const run = m.compared[0];
    const batchSize = run === undefined ? undefined : m.details.get(run.id)?.config.batchSize;
    const perEpoch = run === undefined ? 0 : m.stepsPerEpoch(run.id);
    return html`<div class="bar">
        <div class="buttons">
          <button
            aria-label="Step back"
            title="Step back (←, Shift: ×10)"
            ?disabled=${none}
            @click=${() => m.stepBy(-1)}
          >
            ${ICONS.back}
          </button>
          <button
            aria-label=${playing ? 'Pause' : 'Play'}
            title="${playing ? 'Pause' : 'Play'} (Space)"
            ?disabled=${none}
            @click=${() => m.togglePlay()}
          >
            ${playing ? ICONS.pause : ICONS.play}
          </button>
          <button
            aria-label="Step forward"
            title="Step forward (→, Shift: ×10)"
            ?disabled=${none}
            @click=${() => m.stepBy(1)}
          >
            ${ICONS.forward}
          </button>
          ${
            m.live
              ? html`<button
                  class="live"
                  aria-label="Live"
                  aria-pressed=${following ? 'true' : 'false'}
                  title="Follow the newest step (l)"
                  @click=${() => m.follow()}
                >
                  ● LIVE
                </button>`
              : nothing
          }
        </div>
        <span class="where">
          step <span data-testid="step">${step}</span><span class="muted"> / ${last}</span>
          <span class="muted"
            >· epoch ${formatEpoch(step, perEpoch)} · ${formatExamples(step, batchSize)} examples</span
          >
        </span>
        <span class="spacer"></span>
        <label
          >fps
          <input
            type="number"
            min="1"
            max=${MAX_FPS}
            .value=${String(view.fps)}
            @change=${this.changeFps}
            aria-label="Speed in steps per second"
            title="Playback speed: steps per second"
        /></label>
        <label
          >x axis
          <select @change=${(e: Event) => m.setView({ axis: (e.target as HTMLSelectElement).value as TimeAxis })}>
            ${TIME_AXES.map((a) => html`<option value=${a} ?selected=${a === view.axis}>${a}</option>`)}
          </select>
        </label>
        <label
          >Smoothing
          <input
            class="smoothing"
            type="range"
            min="0"
            max=${MAX_SMOOTHING}
            step="0.01"
            .value=${String(view.smoothing)}
            @input=${(e: Event) => m.setView({ smoothing: Number((e.target as HTMLInputElement).value) })}
          />
          <output>${view.smoothing.toFixed(2)}</output>
        </label>
      </div>
      <input
        class="scrub"
        type="range"
        aria-label="Step"
        aria-valuetext="step ${step} of ${last}"
        min=${first}
        max=${last}
        .value=${String(step)}
        ?disabled=${none}
        @input=${(e: Event) => m.seek(Number((e.target as HTMLInputElement).value))}
      />`;
  }

  private readonly changeFps = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const fps = Math.round(Number(input.value));
    if (Number.isFinite(fps) && fps >= 1) this.model.setView({ fps: Math.min(fps, MAX_FPS) });
    input.value = String(this.model.view.fps);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-timeline': SwTimeline;
  }
}
