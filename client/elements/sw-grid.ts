import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-grid')
export class SwGrid extends ModelElement {
  override render() {
    return html`<p>sw-grid</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-grid': SwGrid;
  }
}
