import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { Dashboard, DashboardEvent } from '../model/dashboard.js';

/**
 * An element that draws from the dashboard's model: it re-renders when the model announces one of
 * `modelEvents` (both by default). The model arrives as a property from the element above it.
 */
export class ModelElement extends LitElement {
  @property({ attribute: false }) model!: Dashboard;
  /** The model events this element redraws on. */
  protected modelEvents: DashboardEvent[] = ['view', 'data'];
  private readonly redraw = () => this.requestUpdate();
  private listening: Dashboard | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten();
  }

  protected override willUpdate(): void {
    if (this.isConnected && this.listening !== this.model) this.listen();
  }

  private listen(): void {
    this.unlisten();
    if (this.model === undefined) return;
    for (const event of this.modelEvents) this.model.addEventListener(event, this.redraw);
    this.listening = this.model;
  }

  private unlisten(): void {
    for (const event of this.modelEvents) this.listening?.removeEventListener(event, this.redraw);
    this.listening = undefined;
  }
}
