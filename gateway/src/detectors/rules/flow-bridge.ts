/**
 * The gateway side of the Node-RED nodes:
 * - detections raised by a flow arrive on `weige/flows/{flowId}/detection` (only the `node-red`
 *   service account may publish there, by the site's ACL); each is checked against one JSON
 *   Schema and goes on the bus as `detectionRaised` with `source.rule = node-red:<flowId>`;
 *   a bad one goes to the dead-letter store with the reason;
 * - accepted canonical readings and device events are republished on
 *   `weige/sites/{siteId}/readings/{deviceId}` and `…/events/{deviceId}`, so flows see every device
 *   in canonical form whatever vendor format it speaks.
 */
import { Ajv } from 'ajv';
import type { GatewayContext } from '../../context.ts';
import { moduleLogger, type Logger } from '../../core/logger.ts';
import { SEVERITIES, type AlertLocation, type Detection } from '../../contracts/alerts.ts';
import type { DeviceEvent, Reading } from '../../contracts/readings.ts';
import type { FlowLink } from '../../ports.ts';
import type { InboundMessage } from '../../transport/transport.ts';
import { toEpochMs } from '../../codecs/timestamps.ts';

export const FLOW_DETECTION_FILTER = 'weige/flows/+/detection';
const FLOW_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

const localized = {
  anyOf: [
    { type: 'string', minLength: 1, maxLength: 2000 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['zh-CN'],
      properties: { 'zh-CN': { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
    },
  ],
};

/** What a flow publishes (the weige-raise node builds it from msg.payload and its settings). */
export const FLOW_DETECTION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'severity', 'title'],
  properties: {
    kind: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,63}$' },
    severity: { enum: SEVERITIES },
    title: localized,
    message: localized,
    deviceId: { type: 'string', maxLength: 64 },
    place: { type: 'string', maxLength: 64 },
    building: { type: 'string', maxLength: 64 },
    floor: { type: 'integer' },
    household: { type: 'string', maxLength: 64 },
    eventTs: {
      anyOf: [
        { type: 'string', maxLength: 40 },
        { type: 'number', minimum: 0 },
      ],
    },
    dedupeKey: { type: 'string', minLength: 1, maxLength: 200 },
    evidence: { type: 'object' },
    cleared: { type: 'boolean' },
    autoResolve: { type: 'boolean' },
  },
} as const;

interface FlowDetection {
  kind: string;
  severity: Detection['severity'];
  title: string | { 'zh-CN': string; en?: string };
  message?: string | { 'zh-CN': string; en?: string };
  deviceId?: string;
  place?: string;
  building?: string;
  floor?: number;
  household?: string;
  eventTs?: string | number;
  dedupeKey?: string;
  evidence?: Record<string, unknown>;
  cleared?: boolean;
  autoResolve?: boolean;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(FLOW_DETECTION_SCHEMA);

const texts = (t: FlowDetection['title'] | undefined): { 'zh-CN': string; en: string } =>
  t === undefined
    ? { 'zh-CN': '', en: '' }
    : typeof t === 'string'
      ? { 'zh-CN': t, en: t }
      : { 'zh-CN': t['zh-CN'], en: t.en ?? t['zh-CN'] };

export class FlowBridge {
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  private readonly log: Logger;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly link: FlowLink,
  ) {
    this.log = moduleLogger(ctx.log, 'flows');
  }

  async start(): Promise<void> {
    const { ctx } = this;
    await this.link.subscribe(FLOW_DETECTION_FILTER, (msg) => {
      if (!this.stopped) this.handle(msg);
    });
    const siteId = ctx.site.siteId;
    const publish = (topic: string, body: Reading | DeviceEvent): void =>
      this.link.publishIfWatched(topic, () =>
        JSON.stringify({ ...body, ts: new Date(body.ts).toISOString() }),
      );
    this.unsubscribe.push(
      ctx.bus.on('readingAccepted', (r: Reading) =>
        publish(`weige/sites/${siteId}/readings/${r.deviceId}`, r),
      ),
      ctx.bus.on('deviceEventAccepted', (e: DeviceEvent) =>
        publish(`weige/sites/${siteId}/events/${e.deviceId}`, e),
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
  }

  /** Validates and raises one flow detection; returns the reason when refused. */
  handle(msg: InboundMessage): string | null {
    const flowId = msg.topic.split('/')[2] ?? '';
    const refuse = (detail: string): string => {
      this.log.warn({ topic: msg.topic, detail }, 'flow detection refused');
      this.ctx.stores.deadLetters.add({
        siteId: this.ctx.site.siteId,
        receivedAt: msg.receivedAt,
        topic: msg.topic,
        deviceId: null,
        reason: 'flow_detection_invalid',
        detail,
        payload: msg.payload,
      });
      return detail;
    };
    if (!FLOW_ID_RE.test(flowId)) return refuse(`flow id '${flowId}' must match ${FLOW_ID_RE.source}`);
    let body: unknown;
    try {
      body = JSON.parse(msg.payload.toString('utf8'));
    } catch (err) {
      return refuse(`not JSON: ${(err as Error).message}`);
    }
    if (!validate(body))
      return refuse(
        (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; '),
      );
    const d = body as FlowDetection;
    const site = this.ctx.site;
    const device = d.deviceId ? site.device(d.deviceId) : undefined;
    if (d.deviceId && !device) return refuse(`unknown device '${d.deviceId}'`);
    if (d.place && !site.place(d.place)) return refuse(`unknown place '${d.place}'`);
    if (d.household && !site.household(d.household)) return refuse(`unknown household '${d.household}'`);
    let eventTs = this.ctx.clock.now();
    if (d.eventTs !== undefined) {
      try {
        eventTs = toEpochMs(d.eventTs, 'eventTs');
      } catch (err) {
        return refuse((err as Error).message);
      }
    }
    const household = site.household(d.household);
    const location: Partial<AlertLocation> = device
      ? site.deviceLocation(device)
      : {
          building: d.building ?? household?.building ?? site.place(d.place)?.building ?? null,
          floor: d.floor ?? household?.floor ?? null,
          unit: household?.unit ?? null,
          household: household?.id ?? null,
          place: d.place ?? null,
        };
    const detection: Detection = {
      kind: d.kind,
      severity: d.severity,
      siteId: site.siteId,
      eventTs,
      source: { deviceId: device?.id ?? null, rule: `node-red:${flowId}`, model: null },
      dedupeKey:
        d.dedupeKey ??
        `node-red:${flowId}:${d.kind}:${d.deviceId ?? d.household ?? d.place ?? d.building ?? '-'}`,
      location,
      title: texts(d.title),
      message: texts(d.message ?? d.title),
      evidence: { ...(d.evidence ?? {}), flowId },
      ...(d.cleared ? { cleared: true } : {}),
      ...(d.autoResolve !== undefined ? { autoResolve: d.autoResolve } : {}),
    };
    this.ctx.bus.emit('detectionRaised', detection);
    return null;
  }
}
