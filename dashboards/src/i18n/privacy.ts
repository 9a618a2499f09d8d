/** The privacy page: the personal-data access log and its hash chain. `{name}` is filled in by t(). */

/** 简体中文 (default). */
export const privacyZhCN = {
  'privacy.log': '个人信息查阅记录',
  'privacy.chainOk': '哈希链完整：{n} 条记录',
  'privacy.chainBroken': '哈希链在第 {seq} 条处断开，记录可能被篡改',
  'privacy.export': '导出查阅记录 (JSON Lines)',
  'privacy.filter': '按住户或对象筛选',
  'privacy.filterHint': '如 household:B3-1-203',
  'privacy.at': '时间',
  'privacy.actor': '查阅人',
  'privacy.action': '操作',
  'privacy.subject': '对象',
  'privacy.fields': '字段',
  'privacy.purpose': '事由',
  'privacy.ip': '来源',
  'privacy.requests': '居民请求',
  'privacy.noRequests': '暂无居民请求',
  'privacy.outcome': '结果',
  'privacy.took': '办理用时',
} as const;

/** English, typed against the zh-CN keys: a missing translation fails the typecheck. */
export const privacyEn: Record<keyof typeof privacyZhCN, string> = {
  'privacy.log': 'Personal-data access log',
  'privacy.chainOk': 'Hash chain intact: {n} entries',
  'privacy.chainBroken': 'Hash chain broken at entry {seq}: the log may have been altered',
  'privacy.export': 'Export the log (JSON Lines)',
  'privacy.filter': 'Filter by household or subject',
  'privacy.filterHint': 'e.g. household:B3-1-203',
  'privacy.at': 'When',
  'privacy.actor': 'Who',
  'privacy.action': 'Action',
  'privacy.subject': 'Subject',
  'privacy.fields': 'Fields',
  'privacy.purpose': 'Why',
  'privacy.ip': 'From',
  'privacy.requests': "Residents' requests",
  'privacy.noRequests': 'No requests yet',
  'privacy.outcome': 'Outcome',
  'privacy.took': 'Time to complete',
};
