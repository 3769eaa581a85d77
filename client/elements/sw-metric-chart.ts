import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-metric-chart')
export class SwMetricChart extends ModelElement {
  override render() {
    return html`<p>sw-metric-chart</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-metric-chart': SwMetricChart;
  }
}
