import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { SHORTCUTS } from '../model/keyboard.js';
import { controlStyles } from './control-styles.js';

/**
 * The keyboard help: a modal dialog listing the page's shortcuts (client/model/keyboard.ts). While
 * open, Tab keeps the focus inside it; the focus returns where it was when it closes.
 *
 * @fires close - the user asked to close it (the close button or a click outside); Escape is the page's.
 */
@customElement('sw-help')
export class SwHelp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      .backdrop {
        position: fixed;
        inset: 0;
        z-index: 10;
        display: grid;
        place-items: center;
        background: rgb(0 0 0 / 45%);
      }
      [role='dialog'] {
        min-width: 320px;
        max-width: 90vw;
        padding: 16px 20px;
        border-radius: 8px;
        background: var(--sw-bg, #fff);
        color: var(--sw-fg, #1b1f24);
        border: 1px solid var(--sw-border, #d0d7de);
        box-shadow: 0 8px 32px rgb(0 0 0 / 30%);
      }
      .top {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 16px;
      }
      h2 {
        font-size: 16px;
        margin: 0;
      }
      table {
        border-collapse: collapse;
        margin-top: 12px;
      }
      td {
        padding: 4px 12px 4px 0;
      }
      kbd {
        display: inline-block;
        min-width: 1.2em;
        padding: 1px 6px;
        margin-right: 4px;
        text-align: center;
        font:
          12px ui-monospace,
          monospace;
        border: 1px solid var(--sw-border, #d0d7de);
        border-bottom-width: 2px;
        border-radius: 4px;
        background: var(--sw-panel, #f4f6f8);
      }
    `,
  ];

  /** Whether the overlay is shown. */
  @property({ type: Boolean, reflect: true }) open = false;
  @query('[role=dialog]') private dialog!: HTMLElement;
  @query('button.close') private closeButton!: HTMLButtonElement;
  /** What had the focus before the overlay opened. */
  private returnFocus: Element | null = null;

  override render() {
    if (!this.open) return nothing;
    return html`<div class="backdrop" @click=${this.clickOutside}>
      <div role="dialog" aria-modal="true" aria-labelledby="title" @keydown=${this.trapTab}>
        <div class="top">
          <h2 id="title">Keyboard shortcuts</h2>
          <button class="close" aria-label="Close" @click=${this.close}>×</button>
        </div>
        <table>
          ${SHORTCUTS.map(
            (s) =>
              html`<tr>
                <td>${s.keys.map((k) => html`<kbd>${k}</kbd>`)}</td>
                <td>${s.description}</td>
              </tr>`,
          )}
        </table>
        <p class="muted">Shortcuts act anywhere but in a text field; a focused slider keeps its arrow keys.</p>
      </div>
    </div>`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open) this.returnFocus = deepActiveElement();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open) this.closeButton.focus();
    else if (changed.get('open') === true && this.returnFocus instanceof HTMLElement) this.returnFocus.focus();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close', { bubbles: true, composed: true }));
  }

  private readonly clickOutside = (event: MouseEvent) => {
    if (!event.composedPath().includes(this.dialog)) this.close();
  };

  /** Tab and Shift+Tab cycle through the dialog's controls, never leaving it. */
  private readonly trapTab = (event: KeyboardEvent) => {
    if (event.key !== 'Tab') return;
    const focusable = [...this.dialog.querySelectorAll<HTMLElement>('button, a[href], input, select')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    const active = this.shadowRoot?.activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };
}

/** The focused element, looking through shadow roots. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

declare global {
  interface HTMLElementTagNameMap {
    'sw-help': SwHelp;
  }
}
