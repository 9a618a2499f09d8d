/**
 * fire-fusion on the gateway: readings from a bike shed's sensors and charging controller (bus
 * `readingAccepted`) update that shed's state; each burst of readings (one event time) gives the
 * shed a window, taken at once on ingest (cheap), classified and decided off the ingest path in
 * event-time order — so a fast replay, whose bursts pile up between two runs of the queue, is
 * decided burst by burst exactly as live traffic is. `fire_risk` carries `evidence.suspectPort` (and the
 * charger's device id): the alerting playbook cuts that port's power on it, before a person is
 * involved; `fire` follows on confirmation by smoke or heat.
 */
import type { Detection } from '../../contracts/alerts.ts';
import type { Reading } from '../../contracts/readings.ts';
import type { GatewayContext } from '../../context.ts';
import type { Logger } from '../../core/logger.ts';
import {
  classify,
  FireDecider,
  MODEL_NAME,
  ShedState,
  shedWindow,
  lazyProbabilities,
  type FireDecision,
  type ShedWindow,
} from '../../../../models/fire-fusion/predict.ts';
import type { Tf } from '../../../../models/lib/backend.ts';
import type { LoadedModel, ModelRegistry } from './registry.ts';
import { WorkQueue } from './work-queue.ts';

export interface FireFusionDetectorDeps {
  ctx: GatewayContext;
  tf: Tf;
  registry: ModelRegistry;
  log: Logger;
  onDecision?: (decision: FireDecision | null, latencyMs: number) => void;
}

interface Shed {
  state: ShedState;
  decider: FireDecider | null;
  deciderFor: string | null;
  receivedAt: number;
  /** Event time of the burst being received; its window is taken when the next one starts. */
  burstTs: number | null;
  /** Windows waiting for the classifier, in arrival order. */
  windows: ShedWindow[];
}

export class FireFusionDetector {
  private readonly sheds = new Map<string, Shed>();
  private unsubscribe: (() => void) | null = null;
  private readonly queue = new WorkQueue<string>(
    (places) => this.process([...new Set(places)]),
    (err) => this.deps.log.error({ err }, 'fire-fusion inference failed'),
    16,
  );
  private readonly pending = new Set<string>();

  constructor(private readonly deps: FireFusionDetectorDeps) {}

  start(): void {
    this.unsubscribe = this.deps.ctx.bus.on('readingAccepted', (r) => this.onReading(r));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.queue.stop();
    this.sheds.clear();
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  private onReading(reading: Reading): void {
    if (reading.kind !== 'smoke_sensor' && reading.kind !== 'charging_controller') return;
    const device = this.deps.ctx.site.device(reading.deviceId);
    const place = this.deps.ctx.site.place(device?.place);
    if (!place || place.kind !== 'bike_shed') return;
    let shed = this.sheds.get(place.id);
    if (!shed)
      this.sheds.set(
        place.id,
        (shed = {
          state: new ShedState(place.id),
          decider: null,
          deciderFor: null,
          receivedAt: 0,
          burstTs: null,
          windows: [],
        }),
      );
    // A charger message brings one reading per port, all at one event time: one window per burst.
    if (shed.burstTs !== null && shed.burstTs !== reading.ts) this.closeBurst(shed);
    shed.state.add(reading);
    shed.burstTs = reading.ts;
    if (!this.pending.has(place.id)) {
      this.pending.add(place.id);
      shed.receivedAt = performance.now();
      this.queue.push(place.id);
    }
  }

  private closeBurst(shed: Shed): void {
    if (shed.burstTs === null) return;
    shed.windows.push(shedWindow(shed.state, shed.burstTs));
    shed.burstTs = null;
  }

  private process(places: string[]): void {
    const loaded = this.deps.registry.get(MODEL_NAME);
    for (const p of places) this.pending.delete(p);
    const sheds = places.map((id) => [id, this.sheds.get(id)!] as const);
    for (const [, shed] of sheds) this.closeBurst(shed);
    const batches = sheds.map(([, shed]) => shed.windows.splice(0));
    if (!loaded) return;
    sheds.forEach(([placeId, shed], i) => {
      if (shed.deciderFor !== loaded.id) {
        // A swapped model brings its own thresholds; the shed's history carries over.
        shed.decider = new FireDecider(loaded.meta.thresholds);
        shed.deciderFor = loaded.id;
      }
      const latencyMs = performance.now() - shed.receivedAt;
      for (const window of batches[i]!) {
        const decisions = shed.decider!.step(
          window,
          lazyProbabilities(() => classify(this.deps.tf, loaded.model, loaded.meta, [window])[0]!),
        );
        if (decisions.length === 0) this.deps.onDecision?.(null, latencyMs);
        for (const d of decisions) {
          this.deps.onDecision?.(d, latencyMs);
          this.deps.ctx.bus.emit('detectionRaised', this.detection(placeId, d, loaded, latencyMs));
        }
      }
    });
  }

  private detection(placeId: string, d: FireDecision, model: LoadedModel, latencyMs: number): Detection {
    const site = this.deps.ctx.site;
    const place = site.place(placeId)!;
    const devices = site.allDevices().filter((x) => x.place === placeId);
    const charger = devices.find((x) => x.kind === 'charging_controller');
    // What the card charts: the charger for a named port, else the shed's own sensor (gas, smoke).
    const telling = d.suspectPort === null ? devices.find((x) => x.kind === 'smoke_sensor') : charger;
    const name = { zh: place.name['zh-CN'], en: place.name.en ?? place.id };
    const port = d.suspectPort;
    const w = d.window.raw;
    const risk = d.kind === 'fire_risk';
    const portZh = port === null ? '' : `${port}号充电口`;
    const portEn = port === null ? '' : ` on charging port ${port}`;
    return {
      kind: d.kind,
      severity: risk ? 'major' : 'critical',
      siteId: site.siteId,
      eventTs: d.t,
      source: { deviceId: (telling ?? charger)?.id ?? null, rule: null, model: model.id },
      // One incident per shed: the pre-alarm and the fire are one danger growing (the fire joins
      // and raises it to 紧急); each port named later still gets its own cut-off.
      dedupeKey: `fire:${placeId}`,
      location: {
        ...site.deviceLocation(
          charger ?? { id: placeId, kind: 'generic', codec: 'canonical', place: placeId },
        ),
        place: placeId,
      },
      title: risk
        ? {
            'zh-CN': `${name.zh}${portZh}疑似电池热失控`,
            en: `Suspected battery thermal runaway${portEn} in ${name.en}`,
          }
        : { 'zh-CN': `${name.zh}火警`, en: `Fire in ${name.en}` },
      message:
        risk && port === null
          ? {
              'zh-CN': `${name.zh}充电期间氢气${fmt(w.h2Ppm)} ppm、挥发性有机物${fmt(w.vocPpm)} ppm同时上升（锂电池热失控前兆），请立即到场查看正在充电的电池。`,
              en: `H₂ ${fmt(w.h2Ppm)} ppm and VOC ${fmt(w.vocPpm)} ppm rising together while charging in ${name.en} (a lithium battery venting before thermal runaway). Check the charging batteries on site now.`,
            }
          : risk
            ? {
                'zh-CN': `${portZh || '车棚'}温度异常升高（${fmt(w.portSlopeKPerMin)}°C/分钟），氢气${fmt(w.h2Ppm)} ppm、一氧化碳${fmt(w.coPpm)} ppm，建议立即断开该充电口电源并到场查看。`,
                en: `Port temperature rising ${fmt(w.portSlopeKPerMin)} °C/min${portEn}; H₂ ${fmt(w.h2Ppm)} ppm, CO ${fmt(w.coPpm)} ppm. Cut that port's power and check on site.`,
              }
            : {
                'zh-CN': `电池热失控已确认：烟雾${fmt(w.smokeDbM)} dB/m，温升${fmt(w.airRiseK)}°C（5分钟），${portZh}。`,
                en: `Battery thermal runaway confirmed: smoke ${fmt(w.smokeDbM)} dB/m, air +${fmt(w.airRiseK)} °C over 5 min${portEn}.`,
              },
      evidence: {
        suspectPort: port,
        port,
        chargerDeviceId: charger?.id ?? null,
        probabilities: Object.fromEntries(
          Object.entries(d.probabilities).map(([k, v]) => [k, Number(v.toFixed(3))]),
        ),
        readings: {
          smokeDbM: round(w.smokeDbM),
          coPpm: round(w.coPpm),
          h2Ppm: round(w.h2Ppm),
          vocPpm: round(w.vocPpm),
          airRise5minK: round(w.airRiseK),
          portTempC: w.portTempC === null ? null : round(w.portTempC),
          portSlopeKPerMin: round(w.portSlopeKPerMin),
        },
        features: Object.fromEntries(
          model.meta.features.names.map((n, i) => [n, round(d.window.features[i] ?? 0)]),
        ),
        latencyMs: round(latencyMs),
      },
    };
  }
}

const round = (v: number): number => Number(v.toFixed(3));
const fmt = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1));
