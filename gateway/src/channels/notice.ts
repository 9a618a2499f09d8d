/** Turns an incident change into a short notice in zh-CN (default) or English. */
import type { SiteIndex } from '../site/site-index.ts';
import { maskPhonesInText, withoutPhones } from '../privacy/masking.ts';
import type { Notice } from './robot-formats.ts';
import type { IncidentView } from '../contracts/incidents.ts';

type Lang = 'zh-CN' | 'en';

const SEVERITY: Record<string, Record<Lang, string>> = {
  critical: { 'zh-CN': '紧急', en: 'CRITICAL' },
  major: { 'zh-CN': '重要', en: 'MAJOR' },
  minor: { 'zh-CN': '一般', en: 'minor' },
  info: { 'zh-CN': '提示', en: 'info' },
};

const CHANGE: Record<string, Record<Lang, string>> = {
  dispatched: { 'zh-CN': '已派单', en: 'Dispatched' },
  escalated: { 'zh-CN': '已升级', en: 'Escalated' },
  reminded: { 'zh-CN': '催办：仍未接单', en: 'Reminder: not accepted yet' },
  accepted: { 'zh-CN': '已接单', en: 'Accepted' },
  arrived: { 'zh-CN': '已到场', en: 'On site' },
  resolved: { 'zh-CN': '已处置', en: 'Resolved' },
  auto_resolved: { 'zh-CN': '已自动恢复', en: 'Cleared and auto-resolved' },
  reviewed: { 'zh-CN': '已评单', en: 'Reviewed' },
  reassigned: { 'zh-CN': '已改派', en: 'Reassigned' },
  reopened: { 'zh-CN': '再次发生', en: 'Reopened' },
  command_failed: { 'zh-CN': '断电指令失败', en: 'Command failed' },
  command_confirmed: { 'zh-CN': '断电已确认', en: 'Command confirmed' },
};

export function buildNotice(site: SiteIndex, i: IncidentView, lang: Lang): Notice {
  const sev = SEVERITY[i.severity]?.[lang] ?? i.severity;
  const change = CHANGE[i.lastChange.type]?.[lang] ?? i.lastChange.type;
  const text = i.texts?.title[lang] ?? i.title;
  const title = lang === 'en' ? `[${sev}] ${text}` : `【${sev}】${text}`;
  const newlyPaged = i.paged.filter((p) => p.step === i.escalationStep);
  const who = newlyPaged
    .map((p) => `${p.name}${p.post ? `(${p.post}${lang === 'en' ? '' : '岗'})` : ''}`)
    .join('、');
  const loc = i.location;
  const household = site.householdName(loc.household ? String(loc.household) : undefined, lang);
  const buildingId = loc.building ? String(loc.building) : undefined;
  const buildingName = buildingId ? (site.building(buildingId)?.name[lang] ?? buildingId) : null;
  const where =
    household ??
    [
      buildingName,
      loc.place ? (site.place(String(loc.place))?.name[lang] ?? String(loc.place)) : null,
      loc.household ? String(loc.household) : null,
      loc.floor !== null && loc.floor !== undefined
        ? lang === 'en'
          ? `floor ${String(loc.floor)}`
          : `${String(loc.floor)}层`
        : null,
    ]
      .filter(Boolean)
      .join(' ');
  const L = lang === 'en';
  const lines = [
    `${L ? 'Status' : '状态'}: ${change}${i.disposition ? ` (${i.disposition})` : ''}`,
    where ? `${L ? 'Where' : '位置'}: ${where}` : null,
    who && ['dispatched', 'escalated', 'reminded', 'reopened'].includes(i.lastChange.type)
      ? `${L ? 'Paged' : '派给'}: ${who}`
      : null,
    i.occurrences > 1 ? `${L ? 'Occurrences' : '发生次数'}: ${i.occurrences}` : null,
    `${L ? 'Time' : '时间'}: ${new Date(i.lastChange.at).toLocaleString(lang, { timeZone: site.site.timezone, hour12: false })}`,
    `${L ? 'Incident' : '工单'}: ${i.id}`,
  ].filter((l): l is string => l !== null);
  const pagedStaff = newlyPaged.map((p) => site.staffMember(p.staffId)).filter((s) => s !== undefined);
  // Group chats are no place for residents' numbers (issue 18): masked in text, dropped from data.
  return {
    title: maskPhonesInText(title),
    lines: lines.map(maskPhonesInText),
    severity: i.severity,
    mentionPhones: pagedStaff.flatMap((s) => (s.contacts?.phone ? [s.contacts.phone] : [])),
    mentionWecom: pagedStaff.flatMap((s) => (s.contacts?.wecom ? [s.contacts.wecom] : [])),
    payload: withoutPhones(i),
  };
}
