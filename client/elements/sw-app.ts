import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { Dashboard } from '../model/dashboard.js';
import './sw-downloads.js';
import './sw-grid.js';
import './sw-help.js';
import './sw-metric-chart.js';
import './sw-profile-chart.js';
import './sw-run-list.js';
import './sw-scalar-chart.js';
import './sw-timeline.js';

/** The whole page: run list, time controls, the grid of slices and the charts, over one model. */
@customElement('sw-app')
export class SwApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font:
        14px/1.4 system-ui,
        sans-serif;
    }
  `;

  /** The page's one model (tests and benchmarks read it as `document.querySelector('sw-app').model`). */
  readonly model = new Dashboard();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.model.start();
  }

  override render() {
    const m = this.model;
    return html`<h1>slicewatch</h1>
      <sw-run-list .model=${m}></sw-run-list>
      <sw-timeline .model=${m}></sw-timeline>
      <sw-grid .model=${m}></sw-grid>
      <sw-scalar-chart .model=${m} name="loss"></sw-scalar-chart>
      <sw-metric-chart .model=${m}></sw-metric-chart>
      <sw-profile-chart .model=${m}></sw-profile-chart>
      <sw-downloads .model=${m}></sw-downloads>
      <sw-help .model=${m}></sw-help>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-app': SwApp;
  }
}
