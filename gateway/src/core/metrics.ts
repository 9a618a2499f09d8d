/**
 * Prometheus metrics for one gateway instance (its own registry, so several gateways can run in
 * one test process). Later stages register their own metrics on `registry`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Gauges read at scrape time, so that they are exact rather than as of the last update. */
export interface GaugeSources {
  influxSpoolDepth: (() => number) | null;
}

export function createMetrics() {
  const registry = new Registry();
  const sources: GaugeSources = { influxSpoolDepth: null };
  collectDefaultMetrics({ register: registry, prefix: 'weige_process_' });
  // Spread in registration order, the order /metrics lists them in.
  return {
    registry,
    sources,
    ...messageMetrics(registry),
    ...storeMetrics(registry),
    ...influxMetrics(registry, sources),
    ...deviceMetrics(registry),
    ...accessMetrics(registry),
  };
}

/** Device messages by what became of them: received, accepted, rejected, refused, held. */
function messageMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messagesReceived: new Counter({
      name: 'weige_messages_received_total',
      help: 'MQTT messages received from devices, by stream',
      labelNames: ['stream'] as const,
      registers,
    }),
    messagesAccepted: new Counter({
      name: 'weige_messages_accepted_total',
      help: 'Messages accepted (decoded, valid, stored), by stream',
      labelNames: ['stream'] as const,
      registers,
    }),
    messagesRejected: new Counter({
      name: 'weige_messages_rejected_total',
      help: 'Messages or batch items rejected to the dead-letter store, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    messagesRefused: new Counter({
      name: 'weige_messages_refused_total',
      help: 'Messages refused without acknowledgement (the device resends later), by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    messagesHeld: new Counter({
      name: 'weige_messages_held_total',
      help: "Messages held back to their device's rate limit (stored and acknowledged late), by limit",
      labelNames: ['reason'] as const,
      registers,
    }),
    mqttReadsPaused: new Counter({
      name: 'weige_mqtt_reads_paused_total',
      help: 'Times the embedded broker stopped reading a connection that sent QoS 0 while ingest was full',
      registers,
    }),
    mqttConnectionsPaused: new Gauge({
      name: 'weige_mqtt_connections_paused',
      help: 'Connections the embedded broker is not reading until ingest has room',
      registers,
    }),
  };
}

/** The embedded store: whether it takes writes, its disk, its failures and write times, and ingest's time per message. */
function storeMetrics(registry: Registry) {
  const registers = [registry];
  return {
    storeWritable: new Gauge({
      name: 'weige_store_writable',
      help: '1 while the embedded store takes writes; 0 while device messages are refused',
      registers,
    }),
    storeProblem: new Gauge({
      name: 'weige_store_problem',
      help: '1 for the reason the embedded store is not writable now',
      labelNames: ['problem'] as const,
      registers,
    }),
    storeFreeBytes: new Gauge({
      name: 'weige_store_free_bytes',
      help: "Free bytes on the data dir's file system (last sample)",
      registers,
    }),
    storeFailures: new Counter({
      name: 'weige_store_failures_total',
      help: 'Store writes that failed (disk full, I/O error, locked, read-only, corrupt), by problem',
      labelNames: ['problem'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'weige_duplicates_total',
      help: 'Readings, events or tracks received again and de-duplicated',
      registers,
    }),
    readingsStored: new Counter({
      name: 'weige_readings_stored_total',
      help: 'Readings committed to the embedded store',
      registers,
    }),
    storeWriteSeconds: new Histogram({
      name: 'weige_store_write_seconds',
      help: 'Time to write one message’s readings to the embedded store',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
      registers,
    }),
    ingestSeconds: new Histogram({
      name: 'weige_ingest_seconds',
      help: 'Time from receiving a message to having it stored and published on the bus',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
      registers,
    }),
  };
}

/** The optional InfluxDB writer: its spool (read at scrape time) and its writes. */
function influxMetrics(registry: Registry, sources: GaugeSources) {
  const registers = [registry];
  return {
    influxSpoolDepth: new Gauge({
      name: 'weige_influx_spool_depth',
      help: 'Readings stored but not yet written to InfluxDB',
      registers,
      collect() {
        if (sources.influxSpoolDepth) this.set(sources.influxSpoolDepth());
      },
    }),
    influxPointsWritten: new Counter({
      name: 'weige_influx_points_written_total',
      help: 'Points written to InfluxDB',
      registers,
    }),
    influxWriteFailures: new Counter({
      name: 'weige_influx_write_failures_total',
      help: 'Failed InfluxDB batch writes (retried)',
      registers,
    }),
  };
}

/** Devices by health status. */
function deviceMetrics(registry: Registry) {
  const registers = [registry];
  return {
    devicesOnline: new Gauge({
      name: 'weige_devices',
      help: 'Devices by health status',
      labelNames: ['status'] as const,
      registers,
    }),
  };
}

/** Refused connections and logins, and account lockouts. */
function accessMetrics(registry: Registry) {
  const registers = [registry];
  return {
    connectionsRefused: new Counter({
      name: 'weige_connections_refused_total',
      help: 'Connections closed on accept because a connection cap was reached, by server and cap',
      labelNames: ['server', 'reason'] as const,
      registers,
    }),
    loginsRefused: new Counter({
      name: 'weige_logins_refused_total',
      help: 'Refused logins (HTTP) and MQTT CONNECTs, by channel and reason',
      labelNames: ['channel', 'reason'] as const,
      registers,
    }),
    accountLockouts: new Counter({
      name: 'weige_account_lockouts_total',
      help: 'Accounts locked after repeated wrong passwords',
      labelNames: ['channel'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
