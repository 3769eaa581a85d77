import { css, html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { Dashboard } from '../model/dashboard.js';
import { focusKind, keyAction, type KeyAction } from '../model/keyboard.js';
import { PALETTE_NAMES, THEMES, type PaletteChoice, type Theme } from '../model/view-state.js';
import { controlStyles } from './control-styles.js';
import './sw-downloads.js';
import './sw-grid.js';
import './sw-help.js';
import './sw-metric-chart.js';
import './sw-profile-chart.js';
import './sw-run-list.js';
import type { SwRunList } from './sw-run-list.js';
import './sw-scalar-chart.js';
import './sw-timeline.js';

/** The command the empty page offers for recording a first run. */
export const FIRST_RUN_COMMAND = 'npx slicewatch train --record --out runs/base';

/**
 * The whole page over one model: a header (name, connection, palette, theme, help), the run list on
 * the side, the time controls sticky above the grid of slices, the charts and the downloads. It
 * owns the page's keyboard shortcuts (client/model/keyboard.ts), the help overlay, the theme (as
 * `data-theme` on `<html>`, read by page.css) and the empty, loading and error states.
 */
@customElement('sw-app')
export class SwApp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--sw-bg, #fff);
        color: var(--sw-fg, #1b1f24);
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
        padding: 8px 16px;
        border-bottom: 1px solid var(--sw-border, #d0d7de);
        background: var(--sw-panel, #f4f6f8);
      }
      h1 {
        font-size: 18px;
        margin: 0 auto 0 0;
      }
      .connection::before {
        content: '';
        display: inline-block;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        margin-right: 6px;
        background: var(--sw-muted, #5b6775);
      }
      .connection.on::before {
        background: #2da44e;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 4px;
      }
      .error {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 6px 16px;
        background: var(--sw-error-bg, #fbe3e4);
        color: var(--sw-error-fg, #7d1a1f);
        border-bottom: 1px solid currentColor;
      }
      .error span {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(260px, 320px) minmax(0, 1fr);
        align-items: start;
      }
      aside {
        position: sticky;
        top: 0;
        max-height: 100vh;
        overflow-y: auto;
        border-right: 1px solid var(--sw-border, #d0d7de);
      }
      main {
        padding: 0 16px 32px;
        min-width: 0;
      }
      sw-timeline {
        position: sticky;
        top: 0;
        z-index: 2;
        background: var(--sw-bg, #fff);
        border-bottom: 1px solid var(--sw-border, #d0d7de);
        margin: 0 -16px 12px;
        padding: 0 16px;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(340px, 1fr));
        gap: 16px;
        margin: 16px 0;
      }
      .state {
        max-width: 640px;
        margin: 48px auto;
        text-align: center;
      }
      code {
        display: inline-block;
        padding: 6px 10px;
        border-radius: 4px;
        background: var(--sw-panel, #f4f6f8);
        border: 1px solid var(--sw-border, #d0d7de);
        user-select: all;
      }
      @media (max-width: 800px) {
        .layout {
          grid-template-columns: 1fr;
        }
        aside {
          position: static;
          max-height: none;
          border-right: none;
        }
      }
    `,
  ];

  /** The page's one model (tests and benchmarks read it as `document.querySelector('sw-app').model`). */
  readonly model = new Dashboard();
  @state() private helpOpen = false;
  /** The error the user dismissed; a new one shows again. */
  @state() private dismissed: string | null = null;
  @query('sw-run-list') private runList!: SwRunList;
  private readonly redraw = () => this.requestUpdate();
  /** What of the view this element draws (a moving cursor alone does not redraw the page). */
  private drawn = '';
  private readonly viewChanged = () => {
    const { theme, palette, runs } = this.model.view;
    const key = `${theme} ${palette} ${runs.join(',')}`;
    if (key === this.drawn) return;
    this.drawn = key;
    this.requestUpdate();
  };
  private readonly onKey = (event: KeyboardEvent) => this.key(event);

  override connectedCallback(): void {
    super.connectedCallback();
    this.model.addEventListener('data', this.redraw);
    this.model.addEventListener('view', this.viewChanged);
    window.addEventListener('keydown', this.onKey);
    void this.model.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.model.removeEventListener('data', this.redraw);
    this.model.removeEventListener('view', this.viewChanged);
    window.removeEventListener('keydown', this.onKey);
  }

  protected override updated(): void {
    const theme = this.model.view.theme;
    if (document.documentElement.dataset['theme'] !== theme) document.documentElement.dataset['theme'] = theme;
  }

  override render() {
    const m = this.model;
    const view = m.view;
    return html`<header>
        <h1>slicewatch</h1>
        <span class="connection ${m.connected ? 'on' : ''}" role="status">
          ${m.connected ? 'connected' : 'offline, reconnecting…'}
        </span>
        <label
          >Palette
          <select
            @change=${(e: Event) => m.setView({ palette: (e.target as HTMLSelectElement).value as PaletteChoice })}
          >
            ${PALETTE_NAMES.map((p) => html`<option value=${p} ?selected=${p === view.palette}>${p}</option>`)}
          </select>
        </label>
        <label
          >Theme
          <select @change=${(e: Event) => m.setView({ theme: (e.target as HTMLSelectElement).value as Theme })}>
            ${THEMES.map((t) => html`<option value=${t} ?selected=${t === view.theme}>${t}</option>`)}
          </select>
        </label>
        <button aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" @click=${() => (this.helpOpen = true)}>
          ?
        </button>
      </header>
      ${this.errorBanner()}
      <div class="layout">
        <aside><sw-run-list .model=${m}></sw-run-list></aside>
        <main>${this.main()}</main>
      </div>
      <sw-help ?open=${this.helpOpen} @close=${() => (this.helpOpen = false)}></sw-help>`;
  }

  private errorBanner() {
    const error = this.model.error;
    if (error === null || error === this.dismissed) return nothing;
    return html`<div class="error" role="alert">
      <span title=${error}>${error}</span>
      <button aria-label="Dismiss the error" @click=${() => (this.dismissed = error)}>×</button>
    </div>`;
  }

  private main() {
    const m = this.model;
    if (!m.loaded) {
      if (m.error !== null)
        return html`<div class="state">
          <p>The runs could not be loaded. Is <code>npx slicewatch serve</code> still running?</p>
          <button @click=${() => void m.start()}>Try again</button>
        </div>`;
      return html`<p class="state muted" aria-busy="true">Loading runs…</p>`;
    }
    if (m.runs.length === 0)
      return html`<div class="state">
        <h2>No runs yet</h2>
        <p>Record a training run, and it appears here live as it trains:</p>
        <p><code>${FIRST_RUN_COMMAND}</code></p>
        <p class="muted">(add <code>--store FILE</code> if this server serves another store than runs/slicewatch.db)</p>
        ${
          m.jobsEnabled
            ? html`<p>or let the server train one:</p>
                <button class="primary" @click=${() => void this.runList.startRun('baseline')}>
                  Start a baseline run
                </button>`
            : nothing
        }
      </div>`;
    if (m.compared.length === 0)
      return html`<p class="state muted">Choose runs to compare with their checkboxes in the run list.</p>`;
    return html`<sw-timeline .model=${m}></sw-timeline>
      <sw-grid .model=${m}></sw-grid>
      <section class="charts" aria-label="Charts">
        <sw-scalar-chart .model=${m} name="loss"></sw-scalar-chart>
        <sw-scalar-chart .model=${m} name="testAccuracy"></sw-scalar-chart>
        <sw-scalar-chart .model=${m} name="robustAccuracy"></sw-scalar-chart>
        <sw-metric-chart .model=${m}></sw-metric-chart>
        <sw-profile-chart .model=${m}></sw-profile-chart>
      </section>
      <sw-downloads .model=${m}></sw-downloads>`;
  }

  /** The page's shortcuts, on `window`; keys typed into a field (or a focused control's own) are left alone. */
  private key(event: KeyboardEvent): void {
    const target = event.composedPath()[0];
    const focus =
      target instanceof HTMLElement
        ? focusKind(target.tagName, target.getAttribute('type'), target.isContentEditable)
        : 'none';
    const action = keyAction(event, focus);
    if (action === undefined || (this.helpOpen && action.kind !== 'close' && action.kind !== 'help')) return;
    if (action.kind === 'close' && !this.helpOpen) return;
    event.preventDefault();
    this.act(action);
  }

  private act(action: KeyAction): void {
    const m = this.model;
    switch (action.kind) {
      case 'step':
        return m.stepBy(action.delta);
      case 'toggle-play':
        return m.togglePlay();
      case 'first':
        return m.seek(m.timeline.first);
      case 'last':
        return m.seek(m.timeline.last);
      case 'live':
        return m.follow();
      case 'help':
        this.helpOpen = true;
        return;
      case 'close':
        this.helpOpen = false;
        return;
      default: {
        const never: never = action;
        throw new Error(`invalid key action: ${JSON.stringify(never)}`);
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-app': SwApp;
  }
}
