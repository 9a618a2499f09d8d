/**
 * The gateway's MQTT transport, chosen by the settings: a client of the external broker when
 * `mqttUrl` is set, else the embedded aedes broker with its device policy (site credentials,
 * topic rights, limits) and connection guard.
 */
import type { CodecRegistry } from './codecs/registry.ts';
import type { GeneratedHashes } from './config/generated-secrets.ts';
import type { Settings } from './config/settings.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { Metrics } from './core/metrics.ts';
import type { PasswordChecker } from './core/passwords.ts';
import type { SiteIndex } from './site/site-index.ts';
import { BrokerPolicy } from './transport/broker-policy.ts';
import { ConnectionGuard } from './transport/connection-guard.ts';
import { EmbeddedBroker } from './transport/embedded-broker.ts';
import { ExternalClient } from './transport/external-client.ts';
import type { InboundMessage, Transport } from './transport/transport.ts';

export function createTransport(
  settings: Settings,
  deps: {
    site: SiteIndex;
    codecs: CodecRegistry;
    clock: Clock;
    metrics: Metrics;
    passwords: PasswordChecker;
    generated: GeneratedHashes | null;
  },
  log: Logger,
  hooks: { onPublishDenied: (msg: InboundMessage, deviceId: string | null, reason: string) => void },
): Transport {
  const { site, codecs, clock, metrics, passwords, generated } = deps;
  if (settings.mqttUrl) {
    return new ExternalClient({
      url: settings.mqttUrl,
      username: settings.mqttUsername,
      password: settings.mqttPassword,
      clientId: `weige-gateway-${site.siteId}`,
      sharedGroup: settings.mqttSharedGroup,
      log,
      clock,
    });
  }
  const policy = new BrokerPolicy({
    site,
    vendorDeviceId: (topic) => codecs.matchVendorTopic(topic)?.deviceId ?? null,
    passwords,
    generated,
    clock,
    metrics,
    limits: settings,
  });
  const guard = new ConnectionGuard({
    server: 'mqtt',
    maxTotal: settings.mqttMaxConnections,
    maxPerAddress: settings.mqttMaxConnectionsPerIp,
    log,
    onRefused: (reason) => metrics.connectionsRefused.inc({ server: 'mqtt', reason }),
  });
  return new EmbeddedBroker({
    host: settings.mqttHost,
    port: settings.mqttPort,
    policy,
    log,
    clock,
    guard,
    connectTimeoutS: settings.mqttConnectTimeoutS,
    onPublishDenied: hooks.onPublishDenied,
    metrics: { readsPaused: metrics.mqttReadsPaused, connectionsPaused: metrics.mqttConnectionsPaused },
  });
}
