/** What every chart element shares: its look (themed by sw-app's custom properties) and the markers' legend. */
import { css, html, nothing } from 'lit';
import type { Marker } from './markers.js';

export const chartStyles = css`
  :host {
    display: block;
    color: var(--sw-fg, #1b1b1f);
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 14px;
    margin-bottom: 4px;
  }
  h2 {
    font-size: 14px;
    font-weight: 600;
    margin: 0;
  }
  .legend {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 12px;
    font-size: 12px;
    color: var(--sw-muted, #6b6b76);
    font-variant-numeric: tabular-nums;
  }
  svg.swatch {
    margin-right: 4px;
    vertical-align: middle;
  }
  .plot {
    position: relative;
    height: var(--sw-chart-height, 170px);
    touch-action: pan-y;
    cursor: crosshair;
  }
  .plot canvas.cursor {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    pointer-events: none;
  }
  .empty {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    padding: 0 16px;
    text-align: center;
    color: var(--sw-muted, #6b6b76);
    pointer-events: none;
  }
  .markers {
    font-size: 11px;
    color: var(--sw-muted, #6b6b76);
  }
  .markers .lr {
    color: #e08a00;
  }
`;

/**
 * A short line in a colour, as in the chart (an SVG stroke: the page's CSP refuses style attributes,
 * which Lit's styleMap writes on its first render).
 */
export function swatch(colour: string, dashed = false) {
  return html`<svg class="swatch" width="16" height="4" aria-hidden="true">
    <line x1="0" y1="2" x2="16" y2="2" stroke=${colour} stroke-width="3" stroke-dasharray=${dashed ? '5 3' : 'none'} />
  </svg>`;
}

/** A one-line key to the marker kinds present, and how to zoom. */
export function markerLegend(markers: readonly Marker[]) {
  const has = (kind: Marker['kind']) => markers.some((m) => m.kind === kind);
  return html`<div class="markers" aria-hidden="true">
    ${has('epoch') ? html`┊ epoch boundary · ` : nothing}${
      has('lr') ? html`<span class="lr">▲</span> learning-rate change · ` : nothing
    }${has('eval') ? html`◆ evaluation · ` : nothing}click
    or drag to move the cursor; Ctrl+wheel zooms, double click resets
  </div>`;
}
