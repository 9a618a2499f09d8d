/** The live alert feed: newest first, pushed over the stream, capped so a storm cannot freeze the page. */
import { h } from '../../lib/dom.ts';
import { formatTime, severityLabel, spellLocation, titleOf } from '../../lib/format.ts';

import type { Alert, SiteView } from '../../lib/model.ts';

const MAX_SHOWN = 60;

export class AlertFeed {
  readonly element = h('ol', {
    class: 'feed',
    id: 'alert-feed',
    'aria-live': 'polite',
    'aria-relevant': 'additions',
  });
  private readonly seen = new Set<string>();

  constructor(private readonly site: SiteView) {}

  /** Replaces the feed (after a resync); `alerts` newest first. */
  reset(alerts: Alert[]): void {
    this.seen.clear();
    this.element.replaceChildren();
    for (const a of alerts.slice(0, MAX_SHOWN).reverse()) this.add(a);
  }

  add(alert: Alert): void {
    if (this.seen.has(alert.id)) return;
    this.seen.add(alert.id);
    const item = h(
      'li',
      { class: `feed-item sev-${alert.severity}`, 'data-alert': alert.id },
      h('time', { datetime: alert.detectedAt }, formatTime(alert.eventTs || alert.detectedAt, true)),
      h('span', { class: `badge sev-${alert.severity}` }, severityLabel(alert.severity)),
      h('span', { class: 'feed-title' }, titleOf(alert)),
      h('span', { class: 'feed-where muted' }, spellLocation(alert.location, this.site)),
    );
    this.element.prepend(item);
    while (this.element.childElementCount > MAX_SHOWN) this.element.lastElementChild?.remove();
  }
}
