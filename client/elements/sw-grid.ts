import { css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { SliceId } from '../../core/ids.js';
import type { RunSummary, SliceDto } from '../../server/protocol.js';
import type { Frame } from '../../slices/frame.js';
import { INFEASIBLE_COLOUR, paletteColours, type Rgb } from '../../slices/palette.js';
import { cssColour } from '../draw/frame-image.js';
import { disagreeMask, maskShare } from '../draw/pixel-masks.js';
import type { Overlay } from '../model/view-state.js';
import { controlStyles } from './control-styles.js';
import { ModelElement } from './model-element.js';
import { styleProps } from './style-props.js';
import './sw-cell.js';
import { swatch } from './swatch.js';

/** Width of the slices' header column and the gap between cells, in CSS pixels. */
const HEADER_PX = 230;
const GAP_PX = 8;
/** Largest upscaling of a frame. */
const MAX_SCALE = 8;

/** Where a slice's compared runs disagree at the cursor, computed once per set of frames. */
interface Disagreement {
  frames: Frame[];
  mask: Uint8Array;
  share: number;
}

/** The run's name as shown: the last segment of its folder. */
const shortName = (run: RunSummary) => run.name.split(/[\\/]/).filter(Boolean).at(-1) ?? run.name;

/**
 * The grid of slices: the compared runs on the page's slice set as columns (runs on another set are
 * named, not drawn), the set's slices as rows, a `sw-cell` at each crossing. A toolbar holds the
 * pixel toggles (confidence shading; overlay of the pixels changed since the pinned step or where the
 * runs disagree, with the disagreeing share per slice) and the class legend. Frames are upscaled by
 * the largest integer that fits the page's width. Clicking a slice's header focuses it.
 */
@customElement('sw-grid')
export class SwGrid extends ModelElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        margin: 12px 0;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 16px;
        align-items: center;
        margin-bottom: 8px;
      }
      .group {
        display: inline-flex;
        gap: 4px;
        align-items: center;
      }
      button[aria-pressed='true'] {
        background: var(--sw-accent, #0b63ce);
        border-color: var(--sw-accent, #0b63ce);
        color: var(--sw-bg, #fff);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 10px;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .swatch {
        display: inline-block;
        width: 12px;
        height: 12px;
        margin-right: 4px;
        vertical-align: -2px;
        border: 1px solid var(--sw-border, #d0d7de);
      }
      .grid {
        display: grid;
        gap: ${GAP_PX}px;
        align-items: start;
      }
      .row {
        display: contents;
      }
      .run {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .slice {
        padding: 4px;
        border: 1px solid transparent;
        border-radius: 4px;
        cursor: pointer;
      }
      .slice.focused {
        background: var(--sw-panel, #f6f8fa);
        border-color: var(--sw-accent, #0b63ce);
      }
      .slice button {
        font-weight: 600;
      }
      .thumbs {
        display: flex;
        gap: 4px;
        margin: 4px 0;
      }
      .thumbs img {
        width: 42px;
        height: 42px;
        image-rendering: pixelated;
        border: 1px solid var(--sw-border, #d0d7de);
      }
      .muted,
      figcaption {
        color: var(--sw-muted, #5f6b7a);
        font-size: 12px;
      }
      figure {
        margin: 0;
        text-align: center;
      }
    `,
  ];

  @state() private width = 0;
  private readonly resize = new ResizeObserver(([entry]) => (this.width = entry?.contentRect.width ?? 0));
  private readonly disagreements = new Map<SliceId, Disagreement>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  override render() {
    const m = this.model;
    const set = m.sliceSet;
    if (!m.loaded || m.compared.length === 0) return nothing;
    if (set === undefined) return html`<p class="muted">The compared runs record no slices.</p>`;
    const runs = m.compared.filter((r) => r.setId === set.id);
    const elsewhere = m.compared.filter((r) => r.setId !== null && r.setId !== set.id);
    const unsliced = m.compared.filter((r) => r.setId === null);
    const colours = this.colours();
    const scale = this.scale(runs, set.slices);
    const columns = `${HEADER_PX}px repeat(${runs.length}, max-content)`;
    return html`${this.toolbar(set.classNames, colours)}
      ${this.absent(elsewhere, `on another slice set than ${set.name}`)} ${this.absent(unsliced, 'without slices')}
      <div
        class="grid"
        role="table"
        aria-label="slices of ${set.name}"
        style=${styleProps({ 'grid-template-columns': columns })}
      >
        <div role="row" class="row">
          <div role="columnheader" class="muted">${set.name}</div>
          ${runs.map((run) => this.runHeader(run, set.slices[0]))}
        </div>
        ${set.slices.map((slice) => this.row(slice, runs, scale, set.classNames, colours))}
      </div>`;
  }

  /** A note naming compared runs the grid does not show, and why. */
  private absent(runs: RunSummary[], why: string) {
    if (runs.length === 0) return nothing;
    const names = runs.map(shortName).join(', ');
    return html`<p class="muted">${names} ${runs.length === 1 ? 'is' : 'are'} ${why}, so not shown here.</p>`;
  }

  /** The class colours of the chosen palette. */
  private colours(): readonly Rgb[] {
    return paletteColours(this.model.view.palette);
  }

  /** The largest integer upscaling at which every column fits the element's width. */
  private scale(runs: RunSummary[], slices: SliceDto[]): number {
    const widest = Math.max(
      1,
      ...slices.map((s) => (runs[0] && this.model.frame(runs[0].id, s.id)?.width) || s.resolution),
    );
    const room = this.width - HEADER_PX - GAP_PX * runs.length;
    return Math.max(1, Math.min(MAX_SCALE, Math.floor(room / (Math.max(1, runs.length) * widest))));
  }

  private toolbar(classNames: string[], colours: readonly Rgb[]) {
    const view = this.model.view;
    const overlay = (value: Overlay, label: string) =>
      html`<button aria-pressed=${view.overlay === value} @click=${() => this.model.setView({ overlay: value })}>
        ${label}
      </button>`;
    const names = classNames.length > 0 ? classNames : colours.map((_, k) => String(k));
    return html`<div class="toolbar">
      <label class="group"
        ><input
          type="checkbox"
          .checked=${view.shading}
          @change=${(e: Event) => this.model.setView({ shading: (e.target as HTMLInputElement).checked })}
        />Confidence shading</label
      >
      <span class="group" role="group" aria-label="overlay">
        Overlay: ${overlay('none', 'None')}
        ${overlay('changed', view.pinned === null ? 'Changed since previous step' : `Changed since step ${view.pinned}`)}
        ${overlay('disagree', 'Runs disagree')}
      </span>
      <span class="group">
        <button @click=${() => this.model.setView({ pinned: this.model.step, overlay: 'changed' })}>
          Pin step ${this.model.step}
        </button>
        ${
          view.pinned === null
            ? nothing
            : html`<button aria-label="Unpin step ${view.pinned}" @click=${() => this.model.setView({ pinned: null })}>
                Unpin
              </button>`
        }
      </span>
      <ul class="legend" aria-label="classes">
        ${names.map((name, k) => html`<li>${swatch(cssColour(colours[k] ?? INFEASIBLE_COLOUR))}${name}</li>`)}
        <li>${swatch(cssColour(INFEASIBLE_COLOUR))}outside the cube</li>
      </ul>
    </div>`;
  }

  private runHeader(run: RunSummary, first: SliceDto | undefined) {
    const shown = first === undefined ? undefined : this.model.frameStep(run.id, first.id);
    return html`<div role="columnheader" title=${run.name}>
      <div class="run">${swatch(this.model.colour(run.id))}${shortName(run)}</div>
      <div class="muted">step ${shown ?? '…'}</div>
    </div>`;
  }

  private row(slice: SliceDto, runs: RunSummary[], scale: number, classNames: string[], colours: readonly Rgb[]) {
    const focused = this.model.focusedSlice?.id === slice.id;
    const disagreement = this.model.view.overlay === 'disagree' ? this.disagreement(slice, runs) : undefined;
    return html`<div role="row" class="row">
      <div
        role="rowheader"
        class="slice ${focused ? 'focused' : ''}"
        @click=${() => this.model.setView({ slice: slice.id })}
      >
        <button aria-pressed=${focused} title="chart this slice's metrics and profiles">${slice.name}</button>
        <div class="thumbs">
          ${(['a', 'b', 'c'] as const).map(
            (name) =>
              html`<figure>
                <img src="${slice.thumbnails[name]}?scale=2" alt="point ${name}: ${slice.points[name]}" />
                <figcaption>${name}</figcaption>
              </figure>`,
          )}
        </div>
        <div class="muted">a ${slice.points.a} · b ${slice.points.b} · c ${slice.points.c}</div>
        ${
          this.model.view.overlay !== 'disagree'
            ? nothing
            : html`<div data-testid="disagree-share">
                ${
                  runs.length < 2
                    ? 'compare two runs to see where they disagree'
                    : disagreement === undefined
                      ? 'runs disagree on …'
                      : `runs disagree on ${(100 * disagreement.share).toFixed(1)}% of the slice`
                }
              </div>`
        }
      </div>
      ${runs.map(
        (run) =>
          html`<sw-cell
            role="cell"
            .model=${this.model}
            run-id=${run.id}
            slice-id=${slice.id}
            .slice=${slice}
            .runName=${shortName(run)}
            .classNames=${classNames}
            .colours=${colours}
            .scale=${scale}
            .disagree=${disagreement?.mask}
          ></sw-cell>`,
      )}
    </div>`;
  }

  /** Where the runs' frames of a slice at the cursor disagree; undefined while one loads or with one run. */
  private disagreement(slice: SliceDto, runs: RunSummary[]): Disagreement | undefined {
    if (runs.length < 2) return undefined;
    const frames = runs.map((r) => this.model.frame(r.id, slice.id));
    if (frames.some((f) => f === undefined)) return undefined;
    const known = this.disagreements.get(slice.id);
    if (known?.frames.length === frames.length && known.frames.every((f, k) => f === frames[k])) return known;
    const shown = frames as Frame[];
    const mask = disagreeMask(shown.map((f) => f.labels));
    const result = { frames: shown, mask, share: maskShare(mask, shown[0]!.labels) };
    this.disagreements.set(slice.id, result);
    return result;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-grid': SwGrid;
  }
}
