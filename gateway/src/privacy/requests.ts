/**
 * Residents' requests (PIPL Arts. 45–47, 50): a copy of everything held about a household
 * (machine-readable, with a readable zh-CN summary), erasure (except what a legal hold or the
 * audit log must keep), and correction of contacts. Each request goes in the audit log with its
 * outcome and how long it took from receipt to completion.
 */
import type { EventBus } from '../core/bus.ts';
import type { Household } from '../contracts/site.ts';
import type { AuditEntry } from './audit-log.ts';
import type { ConsentState } from './consent.ts';
import type { Correction } from './corrections.ts';
import type { PrivacyCore, Reader } from './core.ts';

export interface RequestMeta {
  /** Who asked: the resident, a guardian, or the family with the resident's authorisation. */
  requestedBy: 'resident' | 'guardian' | 'family';
  /** When the request came in (default: now); the time to complete runs from here. */
  receivedAt?: number;
  note?: string;
}

const count = (n: number, unit: string): string => `${n}${unit}`;
const day = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

export class ResidentRequests {
  constructor(private readonly deps: { privacy: PrivacyCore; bus: EventBus; now: () => number }) {}

  export(reader: Reader, household: Household, meta: RequestMeta) {
    const { privacy } = this.deps;
    const now = this.deps.now();
    const h = privacy.effective(household);
    const records = privacy.households.collect(h);
    const consent = privacy.consent.history(h.id);
    const accessLog = privacy.audit.entries({ subject: `household:${h.id}` });
    const data = { household: h, consent, ...records, accessLog };
    const summaryZh = this.summary(h, data, accessLog);
    const entry = this.recordRequest(reader, 'export', h.id, meta, now, {
      counts: Object.fromEntries(Object.entries(records).map(([k, v]) => [k, v.length])),
    });
    return { requestSeq: entry.seq, generatedAt: new Date(now).toISOString(), data, summaryZh };
  }

  erase(reader: Reader, household: Household, meta: RequestMeta) {
    const { privacy } = this.deps;
    const now = this.deps.now();
    const { deleted, held } = privacy.households.erase(household);
    deleted.consents = privacy.consent.erase(household.id);
    const outcome = held.length ? 'done_except_held' : 'done';
    const entry = this.recordRequest(reader, 'erase', household.id, meta, now, { deleted, held, outcome });
    this.deps.bus.emit('householdConsentChanged', {
      householdId: household.id,
      status: 'erased',
      at: now,
      by: reader.id,
    });
    return { requestSeq: entry.seq, outcome, deleted, held };
  }

  /**
   * A consent given or withdrawn on its paper form: recorded, logged, and announced, so monitoring
   * starts or stops at once (the inactivity detector and alerting listen).
   */
  recordConsent(reader: Reader, consent: Omit<ConsentState, 'source' | 'recordedBy'>): ConsentState {
    const { privacy } = this.deps;
    const state = privacy.consent.record({ ...consent, recordedBy: reader.id });
    const given = consent.status === 'given';
    privacy.audit.record({
      at: this.deps.now(),
      actor: reader.id,
      roles: reader.roles,
      action: given ? 'consent_given' : 'consent_withdrawn',
      subject: `household:${consent.household}`,
      fields: [],
      ip: reader.ip,
      purpose: consent.form,
      detail: given ? { monitoring: consent.monitoring, by: consent.by } : { by: consent.by },
    });
    this.deps.bus.emit('householdConsentChanged', {
      householdId: consent.household,
      status: consent.status,
      at: consent.at,
      by: reader.id,
    });
    return state;
  }

  correct(reader: Reader, household: Household, correction: Correction, meta: RequestMeta) {
    const now = this.deps.now();
    const saved = this.deps.privacy.corrections.save(household.id, correction, now);
    const entry = this.recordRequest(reader, 'correct', household.id, meta, now, {
      fields: Object.keys(correction),
    });
    return { requestSeq: entry.seq, outcome: 'done', corrected: Object.keys(saved) };
  }

  /** Requests so far, newest first, from the audit log. */
  list(): AuditEntry[] {
    return ['export', 'erase', 'correct']
      .flatMap((action) => this.deps.privacy.audit.entries({ action }))
      .sort((a, b) => b.seq - a.seq);
  }

  private recordRequest(
    reader: Reader,
    action: string,
    householdId: string,
    meta: RequestMeta,
    now: number,
    detail: Record<string, unknown>,
  ): AuditEntry {
    const receivedAt = meta.receivedAt ?? now;
    return this.deps.privacy.audit.record({
      at: now,
      actor: reader.id,
      roles: reader.roles,
      action,
      subject: `household:${householdId}`,
      fields:
        action === 'correct' ? ['phone', 'contacts'] : ['name', 'phone', 'healthNote', 'room', 'absences'],
      ip: reader.ip,
      purpose: `resident_request:${meta.requestedBy}`,
      detail: {
        outcome: 'done',
        ...detail,
        requestedBy: meta.requestedBy,
        receivedAt: new Date(receivedAt).toISOString(),
        completedAt: new Date(now).toISOString(),
        timeToCompleteMs: now - receivedAt,
        ...(meta.note ? { note: meta.note } : {}),
      },
    });
  }

  private summary(
    h: Household,
    data: { consent: Array<{ status: string; at: number; by: string | null; form: string | null }> } & Record<
      string,
      unknown
    >,
    accessLog: AuditEntry[],
  ): string {
    const len = (k: string): number => (data[k] as unknown[]).length;
    const c = data.consent.at(-1);
    const readings = data.readings as Array<{ ts: number }>;
    const span = readings.length
      ? `（${day(Math.min(...readings.map((r) => r.ts)))} 至 ${day(Math.max(...readings.map((r) => r.ts)))}）`
      : '';
    return [
      `住户 ${h.id}（${h.building}号楼 ${h.unit}单元 ${h.room}室）个人信息副本`,
      h.resident
        ? `居民：${h.resident.name}${h.resident.phone ? `，电话 ${h.resident.phone}` : ''}`
        : '未登记居民姓名',
      c
        ? `同意状态：${c.status === 'given' ? '已同意' : '已撤回'}（${day(c.at)}，${c.by === 'guardian' ? '监护人' : '本人'}签署，表单 ${c.form ?? '—'}）`
        : '同意状态：未签署同意书，不进行用水监测',
      `水表读数 ${count(readings.length, ' 条')}${span}`,
      `告警 ${count(len('alerts'), ' 条')}，工单 ${count(len('incidents'), ' 件')}，处置记录 ${count(len('history'), ' 条')}`,
      `外出登记 ${count(len('absences'), ' 条')}，走访记录 ${count(len('visits'), ' 条')}`,
      `您的个人信息被查阅 ${count(accessLog.filter((e) => e.action === 'read').length, ' 次')}（查阅记录见 accessLog）`,
    ].join('\n');
  }
}
