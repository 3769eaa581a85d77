/**
 * The one time cursor on a chart: a vertical line at the cursor's step, drawn on an overlay canvas so
 * that moving it never redraws the chart, and the markers (epoch boundaries, learning-rate jumps,
 * evaluations) drawn with the chart. Clicking or dragging on the chart moves the cursor; Ctrl+wheel
 * (a trackpad pinch) zooms the x range around the pointer and a double click resets it.
 */
import type { Chart, Plugin } from 'chart.js';
import { toAxis, toStep, type AxisScale } from './axis.js';
import type { ChartTheme } from './chart-setup.js';
import type { Marker } from './markers.js';

export interface CursorState {
  step: number;
  scale: AxisScale;
  markers: readonly Marker[];
  theme: ChartTheme;
}

export interface CursorHooks {
  /** The user put the cursor on a step (a click or a drag). */
  seek(step: number): void;
  /** The cursor line was drawn at a step. */
  drawn(step: number): void;
  /** Zoom by `factor` (below 1: in) around a step. */
  zoom(step: number, factor: number): void;
  resetZoom(): void;
}

/** Learning-rate jumps are orange, evaluations the theme's text colour, epochs dashed and muted. */
const LR_COLOUR = '#e08a00';
/** Pixels from a marker that the pointer shows its label at. */
const HOVER_PX = 4;

/** A chart.js plugin that draws the markers and, after every render, the cursor on `overlay`. */
export function cursorPlugin(overlay: HTMLCanvasElement, state: () => CursorState, hooks: CursorHooks): Plugin<'line'> {
  return {
    id: 'swCursor',
    afterDatasetsDraw: (chart) => drawMarkers(chart, state()),
    afterDraw: (chart) => drawCursor(chart, overlay, state(), hooks),
  };
}

/** Draws the cursor line on the overlay (sized to the chart's canvas) and reports it. */
export function drawCursor(chart: Chart<'line'>, overlay: HTMLCanvasElement, s: CursorState, hooks: CursorHooks): void {
  const ratio = chart.currentDevicePixelRatio;
  const width = Math.round(chart.width * ratio);
  const height = Math.round(chart.height * ratio);
  if (overlay.width !== width || overlay.height !== height) {
    overlay.width = width;
    overlay.height = height;
  }
  const ctx = overlay.getContext('2d');
  if (ctx === null) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, chart.width, chart.height);
  const area = chart.chartArea;
  const x = Math.round(chart.scales['x']!.getPixelForValue(toAxis(s.scale, s.step))) + 0.5;
  if (x >= area.left - 1 && x <= area.right + 1) {
    ctx.strokeStyle = s.theme.fg;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, area.top);
    ctx.lineTo(x, area.bottom);
    ctx.stroke();
  }
  hooks.drawn(s.step);
}

/** Markers closer than this many pixels to the last drawn one of their kind are skipped. */
const MIN_GAP_PX = 3;
/** Epoch lines are left out while they would be denser than one per this many pixels (zoom in to see them). */
const EPOCH_PX = 8;

/** Draws the markers, one path per kind: epochs as dotted lines, lr jumps as triangles, evaluations as diamonds. */
function drawMarkers(chart: Chart<'line'>, s: CursorState): void {
  const { ctx, chartArea: area } = chart;
  const xScale = chart.scales['x']!;
  const paths = { epoch: new Path2D(), lr: new Path2D(), eval: new Path2D() };
  const from = Number(xScale.getValueForPixel(area.left));
  const to = Number(xScale.getValueForPixel(area.right));
  const epochs = s.markers.filter(
    (m) => m.kind === 'epoch' && toAxis(s.scale, m.step) >= from && toAxis(s.scale, m.step) <= to,
  );
  const last = { epoch: epochs.length * EPOCH_PX > area.width ? Infinity : -Infinity, lr: -Infinity, eval: -Infinity };
  for (const marker of s.markers) {
    const x = Math.round(xScale.getPixelForValue(toAxis(s.scale, marker.step))) + 0.5;
    if (x < area.left || x > area.right || x - last[marker.kind] < MIN_GAP_PX) continue;
    last[marker.kind] = x;
    const path = paths[marker.kind];
    if (marker.kind === 'epoch') {
      path.moveTo(x, area.top);
      path.lineTo(x, area.bottom);
    } else if (marker.kind === 'lr') {
      path.moveTo(x, area.bottom - 8);
      path.lineTo(x - 4, area.bottom);
      path.lineTo(x + 4, area.bottom);
      path.closePath();
    } else {
      path.moveTo(x, area.bottom - 7);
      path.lineTo(x - 3, area.bottom - 3.5);
      path.lineTo(x, area.bottom);
      path.lineTo(x + 3, area.bottom - 3.5);
      path.closePath();
    }
  }
  ctx.save();
  ctx.strokeStyle = s.theme.muted;
  ctx.setLineDash([2, 3]);
  ctx.lineWidth = 1;
  ctx.stroke(paths.epoch);
  ctx.fillStyle = LR_COLOUR;
  ctx.fill(paths.lr);
  ctx.fillStyle = s.theme.fg;
  ctx.fill(paths.eval);
  ctx.restore();
}

/** The step under a pointer event's x, or undefined outside the plot area. */
function stepAt(chart: Chart<'line'>, scale: AxisScale, event: MouseEvent, clamp: boolean): number | undefined {
  const rect = chart.canvas.getBoundingClientRect();
  const area = chart.chartArea;
  let x = event.clientX - rect.left;
  if (!clamp && (x < area.left || x > area.right || event.clientY - rect.top > area.bottom + 20)) return undefined;
  x = Math.min(area.right, Math.max(area.left, x));
  return toStep(scale, Number(chart.scales['x']!.getValueForPixel(x)));
}

/** Listens to the chart canvas: click/drag seeks, Ctrl+wheel zooms, double click resets, hovering a marker names it. Returns the detach function. */
export function attachPointer(chart: Chart<'line'>, state: () => CursorState, hooks: CursorHooks): () => void {
  const canvas = chart.canvas;
  let dragging = false;
  const down = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const step = stepAt(chart, state().scale, e, false);
    if (step === undefined) return;
    dragging = true;
    canvas.setPointerCapture(e.pointerId);
    hooks.seek(step);
  };
  const move = (e: PointerEvent) => {
    const s = state();
    if (dragging) {
      hooks.seek(stepAt(chart, s.scale, e, true)!);
      return;
    }
    const x = e.clientX - canvas.getBoundingClientRect().left;
    const near = s.markers.filter(
      (m) => Math.abs(chart.scales['x']!.getPixelForValue(toAxis(s.scale, m.step)) - x) <= HOVER_PX,
    );
    canvas.title = near.map((m) => `${m.label} (step ${m.step})`).join('\n');
  };
  const up = () => (dragging = false);
  const wheel = (e: WheelEvent) => {
    if (!e.ctrlKey && !e.metaKey) return;
    const step = stepAt(chart, state().scale, e, true);
    e.preventDefault();
    hooks.zoom(step!, Math.exp(e.deltaY * 0.002));
  };
  const reset = () => hooks.resetZoom();
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  canvas.addEventListener('wheel', wheel, { passive: false });
  canvas.addEventListener('dblclick', reset);
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
    canvas.removeEventListener('wheel', wheel);
    canvas.removeEventListener('dblclick', reset);
  };
}
