/**
 * One-tap calls from a card: the resident and their emergency contacts (as the privacy module
 * shows them to this worker — a masked number gets no button), and 119 for a fire.
 */
import { api } from './api.ts';
import { h } from './dom.ts';
import { t } from './i18n.ts';
import type { IncidentView } from './model.ts';

const FIRE_KINDS = new Set(['fire', 'fire_risk']);

interface HouseholdRead {
  resident?: { name?: string | null; phone?: string | null } | null;
  contacts?: Array<{ name?: string; relation?: string | null; phone?: string | null }>;
}

/** A number the privacy module let through in full (masked ones carry '*'). */
const dialable = (phone: string | null | undefined): phone is string =>
  !!phone && /^\+?\d[\d\s-]{4,}$/.test(phone);

function callLink(label: string, phone: string, kind: string): HTMLElement {
  return h(
    'a',
    { class: 'btn btn-call', href: `tel:${phone.replace(/[\s-]/g, '')}`, 'data-call': kind },
    label,
  );
}

export function renderCallButtons(inc: IncidentView): HTMLElement {
  const box = h('div', { class: 'calls', 'data-calls': inc.id });
  if (FIRE_KINDS.has(inc.kind)) box.append(callLink(t('call.fireBrigade'), '119', 'fire_brigade'));
  const household = inc.location.household;
  if (household)
    void api
      .get<HouseholdRead>(`/api/households/${encodeURIComponent(household)}`)
      .then((hh) => {
        if (dialable(hh.resident?.phone))
          box.append(
            callLink(t('call.resident', { name: hh.resident.name ?? '' }), hh.resident.phone, 'resident'),
          );
        for (const c of hh.contacts ?? [])
          if (dialable(c.phone))
            box.append(
              callLink(
                t('call.contact', { name: c.name ?? '', relation: c.relation ?? '' }),
                c.phone,
                'emergency_contact',
              ),
            );
      })
      // Not monitored, or not mine: no numbers to show.
      .catch(() => undefined);
  return box;
}
