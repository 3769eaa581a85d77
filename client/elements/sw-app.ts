import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { Dashboard } from '../model/dashboard.js';

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

  @state() private model = new Dashboard();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.model.start();
  }

  override render() {
    return html`<h1>slicewatch</h1>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-app': SwApp;
  }
}
