import { html, nothing, svg, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { RunId, SliceId } from '../../core/ids.js';
import type { SliceDto } from '../../server/protocol.js';
import type { Frame } from '../../slices/frame.js';
import type { Rgb } from '../../slices/palette.js';
import { paintRegions } from '../draw/frame-image.js';
import { changedMask, paintMask, type Rgba } from '../draw/pixel-masks.js';
import type { SlicePlane } from '../draw/plane-point.js';
import { loadSlicePlane } from '../draw/slice-planes.js';
import { CanvasLayer } from './canvas-layer.js';
import { cellStyles } from './cell-styles.js';
import { ModelElement } from './model-element.js';
import './sw-hover-card.js';
import { styleProps } from './style-props.js';

/** Overlay tints: flagged pixels brightened, the rest darkened, so the flagged ones stand out on any class colour. */
const FLAGGED: Rgba = [255, 255, 255, 110];
const UNFLAGGED: Rgba = [0, 0, 0, 150];

/** The probe's move per arrow key, in pixels (x right, y down). */
const KEY_MOVES: Partial<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** A pixel of the frame: column x from the left, row y from the top. */
interface Pixel {
  x: number;
  y: number;
}

/**
 * One run's frame of one slice at the cursor, pixel-exact: `canvas.regions` holds one canvas pixel
 * per frame pixel (the palette's colours, grey outside H, optionally shaded by confidence), upscaled
 * by CSS without smoothing; the overlay (changed or disagreeing pixels), the a, b, c markers and the
 * hover ring are layers above it. While a frame loads the previous one stays, marked as loading,
 * and `data-step` is absent. Hovering, or the arrow keys on a focused cell, shows `.hover`: the class
 * and confidence there and the image at that point of the plane beside a, b and c.
 */
@customElement('sw-cell')
export class SwCell extends ModelElement {
  static override styles = cellStyles;

  /** The run whose frame is drawn. */
  @property({ type: Number, attribute: 'run-id', reflect: true }) runId!: RunId;
  /** The slice drawn; `slice` is its description (resolution, names, thumbnails). */
  @property({ type: Number, attribute: 'slice-id', reflect: true }) sliceId!: SliceId;
  @property({ attribute: false }) slice!: SliceDto;
  /** The run's name and the class names, for labels. */
  @property() runName = '';
  @property({ attribute: false }) classNames: readonly string[] = [];
  /** The class colours of the chosen palette. */
  @property({ attribute: false }) colours: readonly Rgb[] = [];
  /** CSS pixels per frame pixel (an integer: nearest-neighbour upscaling). */
  @property({ type: Number }) scale = 4;
  /** Where the compared runs disagree on this slice at the cursor (from the grid), or undefined. */
  @property({ attribute: false }) disagree: Uint8Array | undefined;

  @state() private plane: SlicePlane | undefined;
  /** The slice `plane` is (being) loaded for. */
  private planeOf: SliceDto | undefined;
  @state() private hover: Pixel | undefined;
  @query('canvas.regions') private regions!: HTMLCanvasElement | null;
  @query('canvas.overlay') private overlay!: HTMLCanvasElement | null;

  /** The frame shown (kept while the next loads) and its recorded step; `loading`: the cursor's frame is not here yet. */
  private shown: { frame: Frame; step: number } | undefined;
  /** `run:slice` of the frame shown. */
  private shownOf = '';
  private loading = false;
  private readonly regionsLayer = new CanvasLayer();
  private readonly overlayLayer = new CanvasLayer();
  private changed: { frame?: Frame; before?: Frame; mask?: Uint8Array } = {};

  override connectedCallback(): void {
    super.connectedCallback();
    this.tabIndex = 0;
    this.addEventListener('keydown', this.onKey);
    this.addEventListener('blur', this.onBlur);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    this.removeEventListener('blur', this.onBlur);
  }

  protected override willUpdate(): void {
    super.willUpdate();
    const slice = this.slice;
    if (this.planeOf !== slice) {
      this.planeOf = slice;
      this.plane = undefined;
      loadSlicePlane(slice).then(
        (plane) => this.planeOf === slice && (this.plane = plane),
        () => undefined,
      );
    }
    const key = `${this.runId}:${this.sliceId}`;
    if (this.shownOf !== key) {
      // The previous frame stays only while the next of the same run and slice loads.
      this.shown = undefined;
      this.shownOf = key;
    }
    const frame = this.model.frame(this.runId, this.sliceId);
    const step = this.model.frameStep(this.runId, this.sliceId);
    this.loading = frame === undefined || step === undefined;
    if (frame !== undefined && step !== undefined) this.shown = { frame, step };
  }

  override render() {
    const { width, height } = this.size();
    const k = this.scale;
    return html`<div
        class="frame"
        style=${styleProps({ width: `${width * k}px`, height: `${height * k}px` })}
        @pointermove=${(e: PointerEvent) => this.onPointer(e, width, height)}
        @pointerleave=${() => (this.hover = undefined)}
      >
        <canvas class="regions"></canvas>
        <canvas class="overlay"></canvas>
        ${this.marks(width, height)} ${this.loading ? html`<span class="loading" title="loading"></span>` : nothing}
        ${this.shown === undefined || this.loading ? nothing : this.pngLink(this.shown.step)}
      </div>
      ${this.hoverCard()}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const step = this.shown !== undefined && !this.loading ? this.shown.step : undefined;
    this.setAttribute('aria-label', `run ${this.runName}, slice ${this.slice.name}, step ${step ?? 'loading'}`);
    this.drawLayers();
    if (step === undefined) this.removeAttribute('data-step');
    else this.setAttribute('data-step', String(step));
  }

  /** The slice's plane when its grid is the shown frame's (a frame of another resolution gets no markers or point images). */
  private fittingPlane(): SlicePlane | undefined {
    const grid = this.plane?.geometry;
    const frame = this.shown?.frame;
    if (grid === undefined || (frame !== undefined && (grid.width !== frame.width || grid.height !== frame.height)))
      return undefined;
    return this.plane;
  }

  /** The frame's size in pixels: the shown frame's, else the slice plane's, else a square at the slice's resolution. */
  private size(): { width: number; height: number } {
    const frame = this.shown?.frame;
    const grid = this.plane?.geometry;
    const r = this.slice.resolution;
    return { width: frame?.width ?? grid?.width ?? r, height: frame?.height ?? grid?.height ?? r };
  }

  /** Draws the regions, then the overlay (kept while what it compares with loads); each only when its inputs changed. */
  private drawLayers(): void {
    const frame = this.shown?.frame;
    if (frame === undefined) return;
    const { width, height, labels, confidence } = frame;
    const colours = this.colours;
    const shading = this.model.view.shading;
    if (this.regions !== null)
      this.regionsLayer.draw(this.regions, width, height, [frame, colours, shading], (rgba) =>
        paintRegions(rgba, labels, confidence, colours, shading),
      );
    const mask = this.overlayMask();
    if (this.overlay === null || mask === undefined) return;
    if (mask === null || mask.length !== labels.length) this.overlayLayer.clear(this.overlay);
    else
      this.overlayLayer.draw(this.overlay, width, height, [mask, labels], (rgba) =>
        paintMask(rgba, mask, labels, FLAGGED, UNFLAGGED),
      );
  }

  /** The overlay's mask: null for no overlay, undefined while what it compares with loads (the last one stays). */
  private overlayMask(): Uint8Array | null | undefined {
    const overlay = this.model.view.overlay;
    const shown = this.shown;
    if (overlay === 'none' || shown === undefined) return null;
    if (overlay === 'disagree') return this.disagree;
    const pinned = this.model.view.pinned;
    const before = this.model.frame(this.runId, this.sliceId, pinned ?? shown.step - 1);
    if (before === undefined || before.labels.length !== shown.frame.labels.length) return undefined;
    const c = this.changed;
    if (c.frame !== shown.frame || c.before !== before)
      this.changed = { frame: shown.frame, before, mask: changedMask(shown.frame.labels, before.labels) };
    return this.changed.mask;
  }

  /** Arrow keys move the probe over a focused cell (Shift: 10 pixels), as the pointer would; Escape hides it. */
  private readonly onKey = (event: KeyboardEvent): void => {
    const move = KEY_MOVES[event.key];
    if (event.key === 'Escape') this.hover = undefined;
    if (move === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    const { width, height } = this.size();
    const at = this.hover ?? { x: Math.floor(width / 2), y: Math.floor(height / 2) };
    const k = event.shiftKey ? 10 : 1;
    this.hover = {
      x: Math.min(width - 1, Math.max(0, at.x + move[0] * k)),
      y: Math.min(height - 1, Math.max(0, at.y + move[1] * k)),
    };
  };

  private readonly onBlur = (): void => {
    this.hover = undefined;
  };

  private onPointer(event: PointerEvent, width: number, height: number): void {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const x = Math.floor(((event.clientX - box.left) / box.width) * width);
    const y = Math.floor(((event.clientY - box.top) / box.height) * height);
    if (x < 0 || y < 0 || x >= width || y >= height) this.hover = undefined;
    else if (this.hover?.x !== x || this.hover.y !== y) this.hover = { x, y };
  }

  /** Rings and letters at a, b and c (points on one pixel share a ring) and the hovered pixel's outline, in CSS pixels. */
  private marks(width: number, height: number) {
    const k = this.scale;
    const groups = new Map<string, { x: number; y: number; names: string[] }>();
    for (const m of this.fittingPlane()?.markers ?? []) {
      const key = `${m.x},${m.y}`;
      const group = groups.get(key) ?? { x: m.x, y: m.y, names: [] };
      group.names.push(m.name);
      groups.set(key, group);
    }
    const r = Math.max(5, 1.5 * k);
    return html`<svg class="marks" viewBox="0 0 ${width * k} ${height * k}" aria-hidden="true">
      ${[...groups.values()].map(({ x, y, names }) => {
        const cx = (x + 0.5) * k;
        const cy = (y + 0.5) * k;
        const right = cx < (width * k) / 2;
        return svg`<circle class="ring-shadow" cx=${cx} cy=${cy} r=${r}></circle>
          <circle class="ring" cx=${cx} cy=${cy} r=${r}></circle>
          <text class="letter" x=${right ? cx + r + 2 : cx - r - 2} y=${cy + 4}
            text-anchor=${right ? 'start' : 'end'}>${names.join(',')}</text>`;
      })}
      ${
        this.hover === undefined
          ? nothing
          : svg`<rect class="probe" x=${this.hover.x * k} y=${this.hover.y * k} width=${k} height=${k}></rect>`
      }
    </svg>`;
  }

  private pngLink(step: number) {
    const palette = this.model.view.palette;
    const query = palette === 'default' ? '' : `&palette=${palette}`;
    const href = `/api/runs/${this.runId}/slices/${this.sliceId}/frames/${step}.png?scale=4${query}`;
    return html`<a
      class="png"
      href=${href}
      download="run${this.runId}-slice${this.sliceId}-step${step}.png"
      aria-label="Download PNG of run ${this.runName}, slice ${this.slice.name}, step ${step}"
      >PNG</a
    >`;
  }

  private hoverCard() {
    const frame = this.shown?.frame;
    const hover = this.hover;
    if (frame === undefined || hover === undefined || hover.x >= frame.width || hover.y >= frame.height) return nothing;
    const p = hover.y * frame.width + hover.x;
    const label = frame.labels[p]!;
    const k = this.scale;
    const right = hover.x >= frame.width / 2;
    const place = {
      left: right ? undefined : `${(hover.x + 1) * k + 12}px`,
      right: right ? `${(frame.width - hover.x) * k + 12}px` : undefined,
      top: `${hover.y * k}px`,
    };
    return html`<sw-hover-card
      class="hover"
      role="status"
      data-class=${label}
      data-confidence=${frame.confidence[p]!}
      style=${styleProps(place)}
      .label=${label}
      .confidence=${frame.confidence[p]!}
      .colour=${this.colours[label]}
      .labelName=${this.classNames[label] ?? String(label)}
      .x=${hover.x}
      .y=${hover.y}
      .plane=${this.fittingPlane()}
      .slice=${this.slice}
    ></sw-hover-card>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-cell': SwCell;
  }
}
