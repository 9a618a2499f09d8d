/**
 * The engineer's bench: devices with health and last readings, dead letters with reasons, rules
 * with load errors and a rule test bench, model versions and metrics, codecs.
 */
import '../../styles.css';
import { api } from '../../lib/api.ts';
import { h, mount } from '../../lib/dom.ts';
import { t } from '../../lib/i18n.ts';
import type { DeviceView } from '../../lib/model.ts';
import { startShell } from '../../lib/shell.ts';
import { loadSite } from '../../lib/site.ts';
import { openStream } from '../../lib/stream.ts';
import { renderDeadLetters } from './dead-letters.ts';
import { renderDevices } from './devices.ts';
import { renderModels } from './models.ts';
import { renderRules } from './rules.ts';

const shell = startShell('engineer');
shell.main.classList.add('engineer');

interface CodecInfo {
  id: string;
  description: string;
  kinds: string[];
  vendorTopic: string | null;
}

function panel(id: string, title: string, content: HTMLElement): HTMLElement {
  return h(
    'section',
    { class: 'panel', id, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    content,
  );
}

async function start(): Promise<void> {
  const [site, devices, codecs] = await Promise.all([
    loadSite(),
    api.get<DeviceView[]>('/api/devices'),
    api.get<CodecInfo[]>('/api/codecs'),
  ]);
  const deadLetters = renderDeadLetters();
  const rules = renderRules();
  const models = renderModels();
  const devicesBox = h('div', {}, renderDevices(site, devices));
  mount(
    shell.main,
    panel('devices-panel', t('eng.devices'), devicesBox),
    panel('dead-letters-panel', t('eng.deadLetters'), deadLetters.element),
    panel('rules-panel', t('eng.rules'), rules.element),
    panel('models-panel', t('eng.models'), models.element),
    panel(
      'codecs-panel',
      t('eng.codecs'),
      h(
        'ul',
        { class: 'plain' },
        codecs.map((c) =>
          h(
            'li',
            {},
            h('strong', { class: 'mono' }, c.id),
            ` ${c.description} `,
            h('span', { class: 'muted small' }, c.kinds.join(', ')),
          ),
        ),
      ),
    ),
  );
  await Promise.all([deadLetters.load(), rules.load(), models.load()]);
  openStream({
    onStatus: shell.setStatus,
    onResync: () => void deadLetters.load().catch(() => undefined),
    onMessage: (msg) => {
      if (msg.type !== 'device_health') return;
      const d = devices.find((x) => x.id === msg.data.deviceId);
      if (!d) return;
      d.health = { ...d.health, status: msg.data.status as DeviceView['health']['status'] };
      const row = document.querySelector(`tr[data-device="${CSS.escape(d.id)}"] .health`);
      if (row) {
        row.className = `health health-${d.health.status}`;
        row.textContent = t(`health.${d.health.status}`);
      }
    },
  });
}

start().catch((err: unknown) => {
  shell.main.append(
    h('p', { class: 'notice notice-error', role: 'alert' }, `${t('error.load')}: ${String(err)}`),
  );
});
