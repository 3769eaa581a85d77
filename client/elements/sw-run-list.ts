import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-run-list')
export class SwRunList extends ModelElement {
  override render() {
    return html`<p>sw-run-list</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-run-list': SwRunList;
  }
}
