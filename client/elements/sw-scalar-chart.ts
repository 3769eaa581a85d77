import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-scalar-chart')
export class SwScalarChart extends ModelElement {
  override render() {
    return html`<p>sw-scalar-chart</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-scalar-chart': SwScalarChart;
  }
}
