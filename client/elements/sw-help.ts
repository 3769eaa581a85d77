import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-help')
export class SwHelp extends ModelElement {
  override render() {
    return html`<p>sw-help</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-help': SwHelp;
  }
}
