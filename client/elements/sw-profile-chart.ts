import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-profile-chart')
export class SwProfileChart extends ModelElement {
  override render() {
    return html`<p>sw-profile-chart</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-profile-chart': SwProfileChart;
  }
}
