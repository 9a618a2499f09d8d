/**
 * Alerting policy from the site file's `routing`, `escalation` and `playbooks` sections
 * (schema: gateway/src/site/site.schema.json), with the defaults a site gets when it leaves
 * a section out. The schema carries the same defaults for people reading it.
 */
import { SEVERITIES, type AlertKind, type Severity } from '../contracts/alerts.ts';
import type { LocalizedText, PlaceKind, Role, Site } from '../contracts/site.ts';
import type { DeviceKind } from '../contracts/readings.ts';

export interface RouteRule {
  roles: Role[];
}

export interface InhibitionRule {
  /** An active incident of one of these kinds… */
  sourceKinds: AlertKind[];
  /** …mutes new alerts of these kinds… */
  targetKinds: AlertKind[];
  /** …when these location fields are equal (and not null) on both. */
  equal: Array<'place' | 'building' | 'household'>;
}

export interface GroupingPolicy {
  /** A clear must hold this long before the incident auto-resolves (a re-fire cancels it). */
  clearHoldS: number;
  /** Re-fires within this window of a clear or an auto-resolution count as flaps. */
  flapWindowS: number;
  /** This many flaps within the window mark the incident flapping: no more auto-resolve. */
  flapThreshold: number;
}

export interface RoutingPolicy {
  kinds: Record<string, RouteRule>;
  /**
   * Alerts below this severity are notices (a camera's own throw event, a drip): their incident
   * shows on the console but pages nobody until an alert at or above it joins.
   */
  pageFrom: Severity;
  defaultRoles: Role[];
  /** Who is paged at each grid level once the A and B posts have not answered. */
  supervisorRoles: Role[];
  inhibitions: InhibitionRule[];
  grouping: GroupingPolicy;
}

export interface SeverityTimeouts {
  acceptS: number;
  arriveS: number;
  resolveS: number;
  reminderS: number;
}

export interface EscalationPolicy {
  timeouts: Record<Severity, SeverityTimeouts>;
  emergency: {
    /** Every timeout is multiplied by this in emergency mode (0.5 = twice as fast). */
    timeoutFactor: number;
    /** Roles paged in addition to the kind's roles in emergency mode. */
    extraRoles: Role[];
    /** Page the A and B posts at once in emergency mode. */
    pageBothPosts: boolean;
    /** Alert kinds that switch the site into emergency mode on their own (critical only). */
    autoOnKinds: AlertKind[];
  };
}

export interface PlaybookTask {
  role: Role;
  title: LocalizedText;
  checklist: LocalizedText[];
}

export interface PlaybookCommand {
  /** Only when the alert's place is one of these kinds (empty: any). */
  placeKinds: PlaceKind[];
  /** The device at the alert's place that receives the command. */
  deviceKind: DeviceKind;
  name: string;
  args: Record<string, unknown>;
  /** Evidence field naming a port; when set, the command goes to that port only. */
  portFromEvidence: string | null;
  /** Skip the command when `portFromEvidence` names no port (rather than cutting every port). */
  requirePort: boolean;
  /** Wait this long for the device's command result before retrying. */
  timeoutS: number;
  maxAttempts: number;
  /** Delay before retry n is backoffS × 2^(n-1). */
  backoffS: number;
}

export interface Playbook {
  tasks: PlaybookTask[];
  commands: PlaybookCommand[];
}

export interface AlertingConfig {
  routing: RoutingPolicy;
  escalation: EscalationPolicy;
  playbooks: Record<string, Playbook>;
}

const t = (zh: string, en: string): LocalizedText => ({ 'zh-CN': zh, en });

export const DEFAULT_ROUTING: RoutingPolicy = {
  kinds: {
    fire: { roles: ['emergency_responder', 'property_manager'] },
    fire_risk: { roles: ['emergency_responder', 'property_manager'] },
    elderly_inactivity: { roles: ['special_care'] },
    continuous_water_flow: { roles: ['special_care'] },
    water_use_abnormal: { roles: ['special_care'] },
    falling_object: { roles: ['patrol_inspector', 'property_manager'] },
    // Condensate or laundry dripping from one spot: a notice for the property office, not a throw.
    facade_drip: { roles: ['property_manager'] },
    littering: { roles: ['patrol_inspector'] },
    fire_lane_blocked: { roles: ['patrol_inspector', 'property_manager'] },
    device_offline: { roles: ['property_manager'] },
    low_battery: { roles: ['property_manager'] },
    tamper: { roles: ['property_manager', 'patrol_inspector'] },
    device_fault: { roles: ['property_manager'] },
    resident_report: { roles: ['grid_worker'] },
  },
  pageFrom: 'minor',
  defaultRoles: ['grid_worker'],
  supervisorRoles: ['micro_grid_leader'],
  inhibitions: [
    {
      sourceKinds: ['fire', 'fire_risk'],
      targetKinds: ['device_offline', 'device_fault', 'low_battery', 'tamper'],
      equal: ['place'],
    },
  ],
  grouping: { clearHoldS: 120, flapWindowS: 1800, flapThreshold: 3 },
};

export const DEFAULT_ESCALATION: EscalationPolicy = {
  timeouts: {
    critical: { acceptS: 180, arriveS: 900, resolveS: 3600, reminderS: 60 },
    major: { acceptS: 900, arriveS: 3600, resolveS: 14400, reminderS: 300 },
    minor: { acceptS: 3600, arriveS: 14400, resolveS: 86400, reminderS: 1800 },
    info: { acceptS: 14400, arriveS: 86400, resolveS: 259200, reminderS: 7200 },
  },
  emergency: {
    timeoutFactor: 0.5,
    extraRoles: ['micro_grid_leader', 'grid_worker'],
    pageBothPosts: true,
    autoOnKinds: [],
  },
};

const CUT_CHARGING: PlaybookCommand = {
  placeKinds: ['bike_shed'],
  deviceKind: 'charging_controller',
  name: 'charging_power',
  args: { on: false },
  portFromEvidence: null,
  requirePort: false,
  timeoutS: 3,
  maxAttempts: 4,
  backoffS: 1,
};

export const DEFAULT_PLAYBOOKS: Record<string, Playbook> = {
  fire: {
    tasks: [
      {
        role: 'emergency_responder',
        title: t('赶赴现场处置火情', 'Go to the fire and act'),
        checklist: [
          t('确认充电已断电', 'Confirm charging power is off'),
          t('拨打119并疏散人员', 'Call 119 and clear people out'),
          t('使用灭火器初期扑救', 'Fight the early fire with an extinguisher'),
          t('现场拍照留证', 'Photograph the scene'),
        ],
      },
      {
        role: 'property_manager',
        title: t('物业配合处置', 'Property support'),
        checklist: [
          t('打开消防通道', 'Open the fire lane'),
          t('通知楼组长安抚居民', 'Tell the building-group leader to reassure residents'),
        ],
      },
    ],
    commands: [CUT_CHARGING],
  },
  fire_risk: {
    tasks: [
      {
        role: 'emergency_responder',
        title: t('检查可疑充电端口', 'Inspect the suspect charging port'),
        checklist: [
          t('确认端口已断电', 'Confirm the port is off'),
          t('将电池移至空旷处', 'Move the battery into the open'),
          t('联系车主', 'Contact the owner'),
        ],
      },
    ],
    // The suspect port when the evidence names one; otherwise every charging port of the shed
    // (a command without `port`, docs/CONTRACT.md): an unnamed venting pack is still cut off.
    commands: [{ ...CUT_CHARGING, portFromEvidence: 'suspectPort' }],
  },
  elderly_inactivity: {
    tasks: [
      {
        role: 'special_care',
        title: t('上门探视独居老人', 'Visit the resident'),
        checklist: [
          t('电话联系老人', 'Call the resident'),
          t('联系紧急联系人', 'Call the emergency contact'),
          t('上门敲门确认安全', 'Knock on the door and check they are safe'),
        ],
      },
    ],
    commands: [],
  },
  falling_object: {
    tasks: [
      {
        role: 'patrol_inspector',
        title: t('现场查看并取证', 'Check the scene and keep evidence'),
        checklist: [
          t('查看落点是否伤人', 'Check whether anyone was hurt'),
          t('对照轨迹排查楼层住户', 'Visit the floors the trace points to'),
          t('导出证据包', 'Export the evidence package'),
        ],
      },
    ],
    commands: [],
  },
};

const merge = <T extends object>(defaults: T, given: unknown): T =>
  given && typeof given === 'object' ? { ...defaults, ...(given as Partial<T>) } : defaults;

/** The site's alerting policy; sections left out fall back to the defaults above. */
export function readAlertingConfig(site: Site): AlertingConfig {
  const routing = merge(DEFAULT_ROUTING, site.routing);
  routing.grouping = merge(DEFAULT_ROUTING.grouping, routing.grouping);
  const escalation = merge(DEFAULT_ESCALATION, site.escalation);
  escalation.timeouts = merge(DEFAULT_ESCALATION.timeouts, escalation.timeouts);
  escalation.emergency = merge(DEFAULT_ESCALATION.emergency, escalation.emergency);
  const given = (site.playbooks ?? DEFAULT_PLAYBOOKS) as Record<string, Partial<Playbook>>;
  const playbooks: Record<string, Playbook> = {};
  for (const [kind, p] of Object.entries(given)) {
    playbooks[kind] = {
      tasks: p.tasks ?? [],
      commands: (p.commands ?? []).map((c) => ({
        ...CUT_CHARGING,
        ...c,
        portFromEvidence: c.portFromEvidence ?? null,
      })),
    };
  }
  return { routing, escalation, playbooks };
}

/** Whether an alert of this severity pages anyone (else it is a notice on the console). */
export function pages(config: AlertingConfig, severity: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(config.routing.pageFrom);
}

export function rolesFor(config: AlertingConfig, kind: AlertKind): Role[] {
  return config.routing.kinds[kind]?.roles ?? config.routing.defaultRoles;
}
