/** Shared by the pages: names, navigation, sign-in, places and devices, severities, states, kinds, table columns and charts. `{name}` is filled in by t(). */

/** 简体中文 (default). */
export const commonZhCN = {
  'app.name': '微格',

  loading: '加载中…',

  'page.console': '物业控制台',
  'page.worker': '网格员',
  'page.engineer': '工程师',
  'page.street': '街道枢纽',
  'page.privacy': '个人信息保护',

  'nav.label': '页面',
  'nav.logout': '退出',
  'nav.skip': '跳到主要内容',
  'nav.notForYou': '您的角色不能使用此页面。',

  'lang.label': '语言',

  'conn.connecting': '连接中',
  'conn.live': '实时',
  'conn.offline': '已断开，定时刷新',

  'login.title': '登录',
  'login.subtitle': '社区感知与预警 · 网格化管理',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.bad': '用户名或密码错误',

  'error.network': '网络不通，请稍后重试',
  'error.load': '加载失败',
  'error.action': '操作未成功',

  'loc.building': '{id}号楼',
  'loc.unit': '{unit}单元',
  'loc.floor': '{floor}层',
  'loc.floorRange': '{from}–{to}层',
  'loc.room': '{room}室',
  'loc.unknown': '位置未知',

  'facade.east': '东侧',
  'facade.west': '西侧',
  'facade.south': '南侧',
  'facade.north': '北侧',

  'dur.lessThanMinute': '不到1分钟',
  'dur.min': '{m}分钟',
  'dur.hMin': '{h}小时{m}分',
  'dur.dH': '{d}天{h}小时',

  'severity.critical': '紧急',
  'severity.major': '重要',
  'severity.minor': '一般',
  'severity.info': '提示',

  'state.open': '待派单',
  'state.dispatched': '已派单',
  'state.accepted': '已接单',
  'state.on_site': '已到场',
  'state.resolved': '已处置',
  'state.reviewed': '已评单',
  'state.escalated': '已升级',
  'state.cancelled': '已取消',

  'kind.falling_object': '高空抛物',
  'kind.facade_drip': '外墙滴水',
  'kind.fire': '火情',
  'kind.fire_risk': '火灾隐患',
  'kind.elderly_inactivity': '独居老人用水异常',
  'kind.continuous_water_flow': '持续用水',
  'kind.water_use_abnormal': '用水异常',
  'kind.littering': '乱扔垃圾',
  'kind.fire_lane_blocked': '消防通道占用',
  'kind.device_offline': '设备离线',
  'kind.low_battery': '电量低',
  'kind.tamper': '设备被拆动',
  'kind.device_fault': '设备故障',
  'kind.resident_report': '居民点单',

  'place.bike_shed': '非机动车棚',
  'place.garbage_room': '垃圾厢房',
  'place.fire_lane': '消防通道',
  'place.entrance': '出入口',
  'place.other': '其他',

  'device.water_meter': '智能水表',
  'device.smoke_sensor': '烟感/温感',
  'device.charging_controller': '充电控制器',
  'device.camera': '摄像头',
  'device.generic': '通用设备',

  'field.temp_c': '温度',
  'field.smoke_db_m': '烟雾浓度',
  'field.co_ppm': '一氧化碳',
  'field.h2_ppm': '氢气',
  'field.power_w': '功率',
  'field.confidence': '置信度',

  'incident.dispatchedTo': '已派给：{names}',
  'incident.holder': '处理人：{name}',

  'ev.floorRange': '抛物楼层范围',
  'ev.confidence': '置信度',
  'ev.hoursSinceUse': '距上次用水',
  'ev.hours': '{h}小时',
  'ev.lastUse': '上次用水',
  'ev.usualDaily': '平时日用水',
  'ev.usualFirst': '平时早上首次用水',

  'col.severity': '级别',
  'col.what': '事件',
  'col.where': '位置',
  'col.state': '状态',
  'col.holder': '处理人',
  'col.age': '时长',
  'col.actions': '操作',
  'col.device': '设备',
  'col.kind': '类型',
  'col.health': '状态',
  'col.lastSeen': '最后上报',
  'col.battery': '电量',
  'col.received': '接收时间',
  'col.topic': '主题',
  'col.reason': '原因',
  'col.payload': '内容',

  'mode.normal': '平时模式',
  'mode.emergency': '战时模式（应急）',
  'mode.toEmergency': '切换到战时模式',
  'mode.toNormal': '恢复平时模式',
  'mode.confirm': '确认将小区切换到战时（应急）模式？所有告警将按应急流程处理。',
  'mode.notAllowed': '切换需由微网格长或管理员操作',
  'mode.banner': '小区处于战时（应急）模式',

  'chart.alertsByKind': '每日告警（按类型）',
  'chart.responseTimes': '接单与处置用时（中位数）',
  'chart.shedTemps': '车棚温度（24小时）',
  'chart.watchlist': '用水异常关注名单',
  'chart.toAccept': '接单用时',
  'chart.toResolve': '处置用时',
  'chart.minutes': '分钟',
  'chart.hours': '小时未用水',
  'chart.empty': '暂无数据',

  'disposition.real': '属实，已处置',
  'disposition.false_alarm': '误报',
  'disposition.resident_away': '住户外出',
  'disposition.leak': '漏水',
  'disposition.device_fault': '设备故障',
  'disposition.duplicate': '重复工单',
  'disposition.other': '其他',

  'mode.emergencyShort': '战时',

  'ev.windowColumn': '窗户列',
  'ev.drop': '下落高度',
  'ev.noUseInWindow': '{d}天内无用水记录',

  'field.used': '用水量',

  'chart.summary': '{field}：最新 {last}，最高 {max}（自 {from}）',

  'call.fireBrigade': '拨打 119',
  'call.resident': '呼叫住户 {name}',
  'call.contact': '呼叫紧急联系人 {name}（{relation}）',

  'disposition.answered_fine': '电话接通，平安',

  // The readings chart of a charger names the port it draws.
  'chart.port': '{port}号口',
} as const;

/** English, typed against the zh-CN keys: a missing translation fails the typecheck. */
export const commonEn: Record<keyof typeof commonZhCN, string> = {
  'app.name': 'Weige',

  loading: 'Loading…',

  'page.console': 'Console',
  'page.worker': 'Grid worker',
  'page.engineer': 'Engineer',
  'page.street': 'Street hub',
  'page.privacy': 'Privacy',

  'nav.label': 'Pages',
  'nav.logout': 'Log out',
  'nav.skip': 'Skip to main content',
  'nav.notForYou': 'Your role cannot use this page.',

  'lang.label': 'Language',

  'conn.connecting': 'Connecting',
  'conn.live': 'Live',
  'conn.offline': 'Disconnected, refreshing',

  'login.title': 'Log in',
  'login.subtitle': 'Community sensing and alerting · grid management',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.bad': 'Wrong username or password',

  'error.network': 'No connection, please try again',
  'error.load': 'Could not load',
  'error.action': 'That did not work',

  'loc.building': 'Building {id}',
  'loc.unit': 'unit {unit}',
  'loc.floor': 'floor {floor}',
  'loc.floorRange': 'floors {from}–{to}',
  'loc.room': 'room {room}',
  'loc.unknown': 'location unknown',

  'facade.east': 'east side',
  'facade.west': 'west side',
  'facade.south': 'south side',
  'facade.north': 'north side',

  'dur.lessThanMinute': 'under 1 min',
  'dur.min': '{m} min',
  'dur.hMin': '{h} h {m} min',
  'dur.dH': '{d} d {h} h',

  'severity.critical': 'Critical',
  'severity.major': 'Major',
  'severity.minor': 'Minor',
  'severity.info': 'Info',

  'state.open': 'Open',
  'state.dispatched': 'Dispatched',
  'state.accepted': 'Accepted',
  'state.on_site': 'On site',
  'state.resolved': 'Resolved',
  'state.reviewed': 'Reviewed',
  'state.escalated': 'Escalated',
  'state.cancelled': 'Cancelled',

  'kind.falling_object': 'Thrown object',
  'kind.facade_drip': 'Dripping from the façade',
  'kind.fire': 'Fire',
  'kind.fire_risk': 'Fire risk',
  'kind.elderly_inactivity': 'No water use (elderly)',
  'kind.continuous_water_flow': 'Continuous water flow',
  'kind.water_use_abnormal': 'Abnormal water use',
  'kind.littering': 'Littering',
  'kind.fire_lane_blocked': 'Fire lane blocked',
  'kind.device_offline': 'Device offline',
  'kind.low_battery': 'Low battery',
  'kind.tamper': 'Tamper',
  'kind.device_fault': 'Device fault',
  'kind.resident_report': 'Resident report',

  'place.bike_shed': 'Bike shed',
  'place.garbage_room': 'Garbage room',
  'place.fire_lane': 'Fire lane',
  'place.entrance': 'Entrance',
  'place.other': 'Other',

  'device.water_meter': 'Water meter',
  'device.smoke_sensor': 'Smoke/heat sensor',
  'device.charging_controller': 'Charging controller',
  'device.camera': 'Camera',
  'device.generic': 'Generic device',

  'field.temp_c': 'Temperature',
  'field.smoke_db_m': 'Smoke density',
  'field.co_ppm': 'Carbon monoxide',
  'field.h2_ppm': 'Hydrogen',
  'field.power_w': 'Power',
  'field.confidence': 'Confidence',

  'incident.dispatchedTo': 'Dispatched to {names}',
  'incident.holder': 'Held by {name}',

  'ev.floorRange': 'Thrown from',
  'ev.confidence': 'Confidence',
  'ev.hoursSinceUse': 'Since last water use',
  'ev.hours': '{h} h',
  'ev.lastUse': 'Last water use',
  'ev.usualDaily': 'Usual daily use',
  'ev.usualFirst': 'Usual first use in the morning',

  'col.severity': 'Severity',
  'col.what': 'What',
  'col.where': 'Where',
  'col.state': 'State',
  'col.holder': 'Held by',
  'col.age': 'Age',
  'col.actions': 'Actions',
  'col.device': 'Device',
  'col.kind': 'Kind',
  'col.health': 'Health',
  'col.lastSeen': 'Last seen',
  'col.battery': 'Battery',
  'col.received': 'Received',
  'col.topic': 'Topic',
  'col.reason': 'Reason',
  'col.payload': 'Payload',

  'mode.normal': 'Normal mode',
  'mode.emergency': 'Emergency mode',
  'mode.toEmergency': 'Switch to emergency mode',
  'mode.toNormal': 'Back to normal mode',
  'mode.confirm': 'Switch the estate to emergency mode? Every alert will follow the emergency playbook.',
  'mode.notAllowed': 'Only micro-grid leaders and admins can switch',
  'mode.banner': 'The estate is in emergency mode',

  'chart.alertsByKind': 'Alerts per day by kind',
  'chart.responseTimes': 'Time to accept and resolve (median)',
  'chart.shedTemps': 'Bike shed temperatures (24 h)',
  'chart.watchlist': 'Inactivity watchlist',
  'chart.toAccept': 'To accept',
  'chart.toResolve': 'To resolve',
  'chart.minutes': 'min',
  'chart.hours': 'hours without water use',
  'chart.empty': 'no data',

  'disposition.real': 'Real, handled',
  'disposition.false_alarm': 'False alarm',
  'disposition.resident_away': 'Resident away',
  'disposition.leak': 'Leak',
  'disposition.device_fault': 'Device fault',
  'disposition.duplicate': 'Duplicate',
  'disposition.other': 'Other',

  'mode.emergencyShort': 'Emergency',

  'ev.windowColumn': 'Window column',
  'ev.drop': 'Fell',
  'ev.noUseInWindow': 'no water use in {d} days',

  'field.used': 'Water used',

  'chart.summary': '{field}: latest {last}, highest {max} (since {from})',

  'call.fireBrigade': 'Call 119',
  'call.resident': 'Call resident {name}',
  'call.contact': 'Call emergency contact {name} ({relation})',

  'disposition.answered_fine': 'Answered the phone, fine',

  // The readings chart of a charger names the port it draws.
  'chart.port': 'Port {port}',
};
