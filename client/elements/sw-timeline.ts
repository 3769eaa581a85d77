import { html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { ModelElement } from './model-element.js';

/** Placeholder until it is built. */
@customElement('sw-timeline')
export class SwTimeline extends ModelElement {
  override render() {
    return html`<p>sw-timeline</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-timeline': SwTimeline;
  }
}
