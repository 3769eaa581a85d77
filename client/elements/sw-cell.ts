import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-cell')
export class SwCell extends ModelElement {
  override render() {
    return html`<p>sw-cell</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-cell': SwCell;
  }
}
