/**
 * chart.js as the dashboard uses it: only the pieces the line charts draw with are registered (the
 * bundle leaves out the rest), never animated, and coloured from the page's theme.
 */
import { Chart, LinearScale, LineController, LineElement, PointElement, type ChartOptions } from 'chart.js';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

Chart.register(LineController, LineElement, PointElement, LinearScale);

export { Chart };

/** The theme colours a chart draws its axes, grid and cursor in (sw-app's CSS custom properties). */
export interface ChartTheme {
  fg: string;
  muted: string;
  border: string;
}

const FALLBACK: ChartTheme = { fg: '#1b1b1f', muted: '#6b6b76', border: '#d4d4da' };

/** The theme as `host` sees it now (reads computed style: call it when the theme may have changed, not per frame). */
export function readTheme(host: Element): ChartTheme {
  const style = getComputedStyle(host);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    fg: read('--sw-fg', FALLBACK.fg),
    muted: read('--sw-muted', FALLBACK.muted),
    border: read('--sw-border', FALLBACK.border),
  };
}

let scheme: MediaQueryList | undefined;
/** The system's dark preference, queried once (matchMedia is slow enough to feel per frame). */
const darkScheme = () => (scheme ??= matchMedia('(prefers-color-scheme: dark)'));

/** The theme in effect: sw-app's choice (`data-theme` on <html>) and the system's preference; a new key means new colours. */
export function themeKey(): string {
  return `${document.documentElement.dataset['theme'] ?? 'system'}:${darkScheme().matches ? 'dark' : 'light'}`;
}

/** Redraws its element whenever the theme may have changed (sw-app's choice or the system's). */
export class ThemeWatch implements ReactiveController {
  private observer: MutationObserver | undefined;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.observer = new MutationObserver(this.onChange);
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    darkScheme().addEventListener('change', this.onChange);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    darkScheme().removeEventListener('change', this.onChange);
  }
}

/** Options every line chart shares: no animation, no points, no built-in events, themed linear axes. */
export function baseOptions(theme: ChartTheme): ChartOptions<'line'> {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    events: [],
    elements: { point: { radius: 0, hitRadius: 0, hoverRadius: 0 }, line: { borderWidth: 1.5, tension: 0 } },
    scales: {
      x: {
        type: 'linear',
        ticks: { color: theme.muted, maxRotation: 0 },
        grid: { color: theme.border },
        border: { color: theme.border },
      },
      y: {
        type: 'linear',
        ticks: { color: theme.muted },
        grid: { color: theme.border },
        border: { color: theme.border },
      },
    },
    plugins: {},
  };
}

/** Applies a new theme to a chart's axes (the caller updates the chart). */
export function applyTheme(chart: Chart<'line'>, theme: ChartTheme): void {
  for (const scale of Object.values(chart.options.scales ?? {})) {
    if (scale === undefined) continue;
    if (scale.ticks) scale.ticks.color = theme.muted;
    if (scale.grid) scale.grid.color = theme.border;
    if (scale.border) scale.border.color = theme.border;
  }
}
