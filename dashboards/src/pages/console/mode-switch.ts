/**
 * 平战转换: the switch between normal and emergency mode (PUT /api/site/mode). Emergency mode is
 * a deliberate act, so switching into it asks for confirmation; the banner is shown to everyone
 * watching the console, pushed over the stream.
 */
import { api, ApiError } from '../../lib/api.ts';
import { h, toast } from '../../lib/dom.ts';
import { t } from '../../lib/i18n.ts';

export type SiteMode = 'normal' | 'emergency';

export class ModeSwitch {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly label = h('span', { id: 'mode-label', class: 'mode-label' });
  private mode: SiteMode = 'normal';
  private readonly canSwitch: boolean;

  constructor(canSwitch: boolean) {
    this.button = h('button', {
      type: 'button',
      id: 'mode-switch',
      class: 'btn',
      role: 'switch',
      'aria-checked': 'false',
      'aria-describedby': 'mode-label',
      disabled: !canSwitch,
      title: canSwitch ? null : t('mode.notAllowed'),
    });
    this.button.addEventListener('click', () => void this.toggle());
    this.element = h(
      'div',
      { class: 'mode-box' },
      this.label,
      this.button,
      canSwitch ? null : h('span', { class: 'muted small', id: 'mode-hint' }, t('mode.notAllowed')),
    );
    this.canSwitch = canSwitch;
    this.set('normal');
  }

  set(mode: SiteMode): void {
    this.mode = mode;
    document.body.classList.toggle('emergency', mode === 'emergency');
    this.label.textContent = mode === 'emergency' ? t('mode.emergency') : t('mode.normal');
    this.button.textContent = mode === 'emergency' ? t('mode.toNormal') : t('mode.toEmergency');
    this.button.setAttribute('aria-checked', String(mode === 'emergency'));
    this.button.className = `btn ${mode === 'emergency' ? 'btn-ok' : 'btn-danger'}`;
    this.element.dataset.mode = mode;
  }

  private async toggle(): Promise<void> {
    const next: SiteMode = this.mode === 'emergency' ? 'normal' : 'emergency';
    if (next === 'emergency' && !window.confirm(t('mode.confirm'))) return;
    this.button.disabled = true;
    try {
      const res = await api.put<{ mode?: SiteMode }>('/api/site/mode', { mode: next });
      this.set(res?.mode ?? next);
      toast(next === 'emergency' ? t('mode.emergency') : t('mode.normal'));
    } catch (err) {
      toast(err instanceof ApiError ? `${t('error.action')}: ${err.message}` : t('error.network'), 'error');
    } finally {
      this.button.disabled = !this.canSwitch;
    }
  }
}
