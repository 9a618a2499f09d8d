/**
 * The one typed context the composition root builds and hands to every module (instead of
 * positional arguments or global settings).
 */
import type { Settings } from './config/settings.ts';
import type { SiteIndex } from './site/site-index.ts';
import type { CodecRegistry } from './codecs/registry.ts';
import type { EventBus } from './core/bus.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { Metrics } from './core/metrics.ts';
import type { PasswordChecker } from './core/passwords.ts';
import type { HealthMonitor } from './devices/health-monitor.ts';
import type { PrivacyCore } from './privacy/core.ts';
import type { Database, MetaStore } from './store/database.ts';
import type { DeadLetterStore } from './store/dead-letter-store.ts';
import type { DeviceStore } from './store/device-store.ts';
import type { EventStore } from './store/event-store.ts';
import type { SqliteReadingStore } from './store/reading-store.ts';
import type { PublicationOutbox } from './channels/outbox.ts';
import type { MqttPublisher } from './channels/mqtt-publisher.ts';
import type { Transport } from './transport/transport.ts';

export interface Stores {
  db: Database;
  meta: MetaStore;
  readings: SqliteReadingStore;
  events: EventStore;
  deadLetters: DeadLetterStore;
  devices: DeviceStore;
}

export interface GatewayContext {
  settings: Settings;
  site: SiteIndex;
  bus: EventBus;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  stores: Stores;
  codecs: CodecRegistry;
  health: HealthMonitor;
  /** The broker, for the HTTP server's MQTT over WebSocket and its description; stages publish through `mqtt`. */
  transport: Transport;
  /** The one way out on MQTT: stages take the port they need from it (CommandPort, FlowLink). */
  mqtt: MqttPublisher;
  /** Alerting's outbox port (alerts and incident changes staged in its transactions) and the channels' store behind it. */
  outbox: PublicationOutbox;
  /** The one password checker (capped concurrency) for HTTP logins and MQTT CONNECTs. */
  passwords: PasswordChecker;
  /** Consent, personal-field policy and the access log (issue 18). */
  privacy: PrivacyCore;
}
