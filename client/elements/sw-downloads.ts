import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-downloads')
export class SwDownloads extends ModelElement {
  override render() {
    return html`<p>sw-downloads</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-downloads': SwDownloads;
  }
}
