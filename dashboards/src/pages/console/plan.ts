/**
 * The site plan: buildings, bike sheds, garbage rooms and fire lanes as drawn in the site file's
 * `plan` rects, coloured by what is happening there now (open incidents by severity, devices
 * offline). Every shape is a keyboard stop (Tab, Enter) that shows what is there.
 */
import { h, svg } from '../../lib/dom.ts';
import { kindLabel, severityLabel, stateLabel, spellDuration } from '../../lib/format.ts';
import { localized, t, tOr } from '../../lib/i18n.ts';
import {
  OPEN_STATES,
  SEVERITY_RANK,
  type DeviceView,
  type IncidentView,
  type SiteView,
} from '../../lib/model.ts';
import { labelWidth, placeLabels } from './plan-labels.ts';

/** Place names next to their shapes, in plan units (the plan is about 320 units wide). */
const PLACE_FONT = 5;
/** Room kept after a shed's name for its temperature (" 68°C"). */
const TEMP_ROOM = ' 00°C';

export interface PlanState {
  incidents: IncidentView[];
  devices: DeviceView[];
  /** Latest temperature per place (bike sheds), °C. */
  placeTempC: Map<string, number>;
}

interface Area {
  id: string;
  kind: 'building' | string;
  name: string;
  rect: { x: number; y: number; w: number; h: number };
}

function areasOf(site: SiteView): Area[] {
  const areas: Area[] = [];
  for (const b of site.buildings)
    if (b.plan) areas.push({ id: b.id, kind: 'building', name: localized(b.name), rect: b.plan });
  for (const p of site.places)
    if (p.plan) areas.push({ id: p.id, kind: p.kind, name: localized(p.name), rect: p.plan });
  return areas;
}

/** The building or place an incident happened at. */
export function incidentArea(inc: IncidentView, site: SiteView): string | null {
  if (inc.location.place) return inc.location.place;
  if (inc.location.building) return inc.location.building;
  const hh = inc.location.household
    ? site.households.find((x) => x.id === inc.location.household)
    : undefined;
  return hh?.building ?? null;
}

export function deviceArea(d: DeviceView, site: SiteView): string | null {
  if (d.place) return d.place;
  if (d.building) return d.building;
  const hh = d.household ? site.households.find((x) => x.id === d.household) : undefined;
  return hh?.building ?? null;
}

export class SitePlan {
  readonly element: HTMLElement;
  private readonly shapes = new Map<string, SVGElement>();
  /** The name written next to each place (buildings carry theirs inside). */
  private readonly placeLabels = new Map<string, { el: SVGElement; name: string }>();
  private readonly details = h('div', { class: 'plan-details', 'aria-live': 'polite', id: 'plan-details' });
  private selected: string | null = null;
  private state: PlanState = { incidents: [], devices: [], placeTempC: new Map() };

  constructor(private readonly site: SiteView) {
    const w = site.plan?.w ?? 320;
    const hgt = site.plan?.h ?? 260;
    const root = svg('svg', {
      viewBox: `-5 -5 ${w + 10} ${hgt + 10}`,
      class: 'plan-svg',
      role: 'group',
      'aria-label': t('plan.label'),
    });
    for (const area of areasOf(site)) {
      const { x, y, w: aw, h: ah } = area.rect;
      const label =
        area.kind === 'building'
          ? svg(
              'text',
              {
                x: x + aw / 2,
                y: y + ah / 2,
                class: 'plan-text',
                'text-anchor': 'middle',
                'dominant-baseline': 'central',
              },
              area.name,
            )
          : null;
      const g = svg(
        'g',
        {
          class: `plan-area plan-${area.kind}`,
          tabindex: '0',
          role: 'button',
          'data-area': area.id,
          'aria-label': area.name,
        },
        svg('rect', { x, y, width: aw, height: ah, rx: 1.5 }),
        label,
        svg('title', {}, area.name),
      );
      g.addEventListener('click', () => this.select(area.id));
      g.addEventListener('keydown', (ev) => {
        const key = (ev as KeyboardEvent).key;
        if (key === 'Enter' || key === ' ') {
          ev.preventDefault();
          this.select(area.id);
        }
      });
      this.shapes.set(area.id, g);
      root.append(g);
    }
    root.append(this.drawPlaceLabels(areasOf(site), { x: -5, y: -5, w: w + 10, h: hgt + 10 }));
    const legend = h(
      'ul',
      { class: 'legend' },
      ['critical', 'major', 'minor', 'offline', 'ok'].map((s) =>
        h(
          'li',
          {},
          h('span', { class: `swatch swatch-${s}` }),
          s === 'ok' ? t('plan.ok') : s === 'offline' ? t('plan.offline') : severityLabel(s),
        ),
      ),
      ['bike_shed', 'garbage_room', 'fire_lane'].map((k) =>
        h('li', {}, h('span', { class: `swatch swatch-${k}` }), tOr(`place.${k}`, k)),
      ),
    );
    this.element = h('div', { class: 'plan' }, root, legend, this.details);
  }

  update(state: PlanState): void {
    this.state = state;
    const worst = new Map<string, string>();
    for (const inc of state.incidents) {
      if (!OPEN_STATES.has(inc.state)) continue;
      const area = incidentArea(inc, this.site);
      if (!area) continue;
      const prev = worst.get(area);
      if (!prev || (SEVERITY_RANK[inc.severity] ?? 9) < (SEVERITY_RANK[prev] ?? 9))
        worst.set(area, inc.severity);
    }
    const offline = new Set<string>();
    for (const d of state.devices) {
      if (d.health.status !== 'offline') continue;
      const area = deviceArea(d, this.site);
      if (area) offline.add(area);
    }
    for (const [id, g] of this.shapes) {
      const sev = worst.get(id);
      g.setAttribute('data-status', sev ?? (offline.has(id) ? 'offline' : 'ok'));
      const name = g.getAttribute('aria-label')?.split(' · ')[0] ?? id;
      const temp = state.placeTempC.get(id);
      const extra = [
        sev ? severityLabel(sev) : offline.has(id) ? t('plan.offline') : null,
        temp !== undefined ? `${temp.toFixed(1)}°C` : null,
      ]
        .filter(Boolean)
        .join(' · ');
      g.setAttribute('aria-label', extra ? `${name} · ${extra}` : name);
      const placeLabel = this.placeLabels.get(id);
      if (placeLabel)
        placeLabel.el.textContent =
          temp !== undefined ? `${placeLabel.name} ${temp.toFixed(0)}°C` : placeLabel.name;
      placeLabel?.el.setAttribute('data-status', sev ?? 'ok');
    }
    if (this.selected) this.renderDetails(this.selected);
  }

  /** Names of the places (sheds, garbage rooms, fire lanes) beside their shapes, none overlapping. */
  private drawPlaceLabels(areas: Area[], bounds: { x: number; y: number; w: number; h: number }): SVGElement {
    const places = areas.filter((a) => a.kind !== 'building');
    const boxes = placeLabels(
      places.map((a) => ({
        rect: a.rect,
        w: labelWidth(a.name + (a.kind === 'bike_shed' ? TEMP_ROOM : ''), PLACE_FONT),
        h: PLACE_FONT + 1,
      })),
      areas.map((a) => a.rect),
      bounds,
    );
    const group = svg('g', { class: 'plan-place-labels', 'aria-hidden': 'true' });
    places.forEach((a, i) => {
      const b = boxes[i]!;
      const el = svg(
        'text',
        {
          x: b.x,
          y: b.y + b.h / 2,
          class: 'plan-place-text',
          'dominant-baseline': 'central',
          'data-place': a.id,
        },
        a.name,
      );
      this.placeLabels.set(a.id, { el, name: a.name });
      group.append(el);
    });
    return group;
  }

  private select(id: string): void {
    this.selected = id;
    for (const [key, g] of this.shapes) g.classList.toggle('plan-selected', key === id);
    this.renderDetails(id);
  }

  private renderDetails(id: string): void {
    const building = this.site.buildings.find((b) => b.id === id);
    const place = this.site.places.find((p) => p.id === id);
    const name = building ? localized(building.name) : place ? localized(place.name) : id;
    const incs = this.state.incidents.filter(
      (i) => OPEN_STATES.has(i.state) && incidentArea(i, this.site) === id,
    );
    const devices = this.state.devices.filter((d) => deviceArea(d, this.site) === id);
    const byStatus = { online: 0, offline: 0, unknown: 0 };
    for (const d of devices) byStatus[d.health.status] += 1;
    this.details.replaceChildren(
      h(
        'h3',
        {},
        name,
        place ? h('span', { class: 'muted small' }, ` · ${tOr(`place.${place.kind}`, place.kind)}`) : null,
      ),
      h(
        'p',
        { class: 'small' },
        t('plan.devices', { n: devices.length, online: byStatus.online, offline: byStatus.offline }),
      ),
      incs.length
        ? h(
            'ul',
            { class: 'plain' },
            incs.map((i) =>
              h(
                'li',
                {},
                h('span', { class: `badge sev-${i.severity}` }, severityLabel(i.severity)),
                ` ${kindLabel(i.kind)} · ${stateLabel(i.state)} · ${spellDuration(Date.now() - i.openedAt)}`,
              ),
            ),
          )
        : h('p', { class: 'muted small' }, t('plan.noIncidents')),
    );
  }
}
