import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Dashboard } from '../model/dashboard.js';
import type { ViewState } from '../model/view-state.js';

/**
 * Redraws an element on the model's `view` event only when the part of the view it draws changed
 * (`key`), so a moving cursor does not redraw elements that never show it. The element lists only
 * `data` in its `modelEvents`, and this controller stands in for `view`.
 */
export class ViewWatch implements ReactiveController {
  private watched: Dashboard | undefined;
  private last = '';
  private readonly changed = () => {
    if (this.watched === undefined) return;
    const key = this.key(this.watched.view);
    if (key === this.last) return;
    this.last = key;
    this.host.requestUpdate();
  };

  constructor(
    private readonly host: ReactiveControllerHost & { model: Dashboard | undefined },
    private readonly key: (view: ViewState) => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.watch();
  }

  hostUpdate(): void {
    if (this.watched !== this.host.model) this.watch();
    if (this.host.model !== undefined) this.last = this.key(this.host.model.view);
  }

  hostDisconnected(): void {
    this.watched?.removeEventListener('view', this.changed);
    this.watched = undefined;
  }

  private watch(): void {
    this.hostDisconnected();
    this.watched = this.host.model;
    this.watched?.addEventListener('view', this.changed);
  }
}
