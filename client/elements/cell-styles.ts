import { css } from 'lit';

/**
 * The look of `sw-cell`: the frame's layers stacked exactly (regions, overlay, marks), upscaled
 * without smoothing; the rings and letters of a, b, c; the loading mark; the PNG link shown on
 * hover or focus; where the hover card goes.
 */
export const cellStyles = css`
  :host {
    display: block;
    position: relative;
  }
  :host(:focus-visible) {
    outline: 2px solid var(--sw-accent, #0b63ce);
    outline-offset: 2px;
  }
  .frame {
    position: relative;
    background: var(--sw-border, #ddd);
  }
  canvas.regions,
  canvas.overlay,
  svg.marks {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    image-rendering: pixelated;
  }
  svg.marks {
    overflow: visible;
    pointer-events: none;
  }
  .ring {
    fill: none;
    stroke: #fff;
    stroke-width: 1.5;
  }
  .ring-shadow {
    fill: none;
    stroke: #000;
    stroke-width: 3.5;
    opacity: 0.7;
  }
  .letter {
    font:
      bold 12px system-ui,
      sans-serif;
    fill: #fff;
    stroke: #000;
    stroke-width: 3px;
    paint-order: stroke;
  }
  .probe {
    fill: none;
    stroke: #fff;
    stroke-width: 1;
    outline: none;
  }
  .loading {
    position: absolute;
    top: 4px;
    right: 4px;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--sw-accent, #4363d8);
    animation: pulse 0.8s ease-in-out infinite alternate;
  }
  @keyframes pulse {
    to {
      opacity: 0.2;
    }
  }
  a.png {
    position: absolute;
    bottom: 2px;
    right: 2px;
    padding: 0 4px;
    font-size: 11px;
    color: var(--sw-fg, #222);
    background: var(--sw-panel, #fff);
    border: 1px solid var(--sw-border, #ccc);
    border-radius: 3px;
    text-decoration: none;
    opacity: 0;
  }
  :host(:hover) a.png,
  a.png:focus-visible {
    opacity: 0.9;
  }
  .hover {
    position: absolute;
    z-index: 10;
    pointer-events: none;
  }
`;
