import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { SliceDto } from '../../server/protocol.js';
import type { Rgb } from '../../slices/palette.js';
import { cssColour } from '../draw/frame-image.js';
import { planePointAt, pointImage, type SlicePlane } from '../draw/plane-point.js';
import { CanvasLayer } from './canvas-layer.js';
import { swatch } from './swatch.js';

/**
 * What is at one pixel of a slice: its class (name and colour) and confidence, and the image at
 * that point of the plane (a + s·u + t·w at the pixel's centre, computed here from the slice's
 * plane) beside the thumbnails of a, b and c. `sw-cell` shows it under the pointer.
 */
@customElement('sw-hover-card')
export class SwHoverCard extends LitElement {
  static override styles = css`
    :host {
      display: block;
      padding: 6px 8px;
      color: var(--sw-fg, #222);
      background: var(--sw-panel, #fff);
      border: 1px solid var(--sw-border, #ccc);
      border-radius: 4px;
      box-shadow: 0 2px 8px rgb(0 0 0 / 25%);
      white-space: nowrap;
      font-size: 12px;
    }
    .swatch {
      display: inline-block;
      width: 10px;
      height: 10px;
      margin-right: 4px;
      border: 1px solid var(--sw-border, #ccc);
      vertical-align: -1px;
    }
    .images {
      display: flex;
      gap: 6px;
      margin-top: 4px;
    }
    figure {
      margin: 0;
      text-align: center;
      color: var(--sw-muted, #666);
    }
    figure canvas,
    figure img {
      display: block;
      width: 56px;
      height: 56px;
      image-rendering: pixelated;
      border: 1px solid var(--sw-border, #ccc);
    }
  `;

  /** The pixel's label (255: outside the cube) and confidence, 0–255 as stored. */
  @property({ type: Number }) label = 0;
  @property({ type: Number }) confidence = 0;
  /** The class's colour and name; no colour: outside the cube. */
  @property({ attribute: false }) colour: Rgb | undefined;
  @property() labelName = '';
  /** The pixel (column x, row y) and the slice's plane; without a plane only a, b, c are shown. */
  @property({ type: Number }) x = 0;
  @property({ type: Number }) y = 0;
  @property({ attribute: false }) plane: SlicePlane | undefined;
  @property({ attribute: false }) slice!: SliceDto;

  @query('canvas') private canvas!: HTMLCanvasElement | null;
  private readonly layer = new CanvasLayer();

  override render() {
    const thumbs = this.slice.thumbnails;
    return html`<div>
        ${
          this.colour === undefined
            ? html`outside the cube`
            : html`${swatch(cssColour(this.colour))}class <b>${this.labelName}</b>, confidence
                ${((100 * this.confidence) / 255).toFixed(1)}%`
        }
      </div>
      <div class="images">
        ${
          this.plane === undefined
            ? nothing
            : html`<figure>
                <canvas></canvas>
                <figcaption>here</figcaption>
              </figure>`
        }
        ${(['a', 'b', 'c'] as const).map(
          (name) =>
            html`<figure>
              <img src="${thumbs[name]}?scale=2" alt="point ${name}" />
              <figcaption>${name}</figcaption>
            </figure>`,
        )}
      </div>`;
  }

  protected override updated(): void {
    const { canvas, plane, x, y } = this;
    if (canvas === null || plane === undefined) return;
    const [height, width] = plane.shape;
    this.layer.draw(canvas, width, height, [plane, x, y], (rgba) =>
      rgba.set(pointImage(planePointAt(plane.geometry, x, y).point, plane.shape).rgba),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-hover-card': SwHoverCard;
  }
}
