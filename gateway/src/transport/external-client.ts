/**
 * External transport: the gateway as an mqtt.js client of another broker (Mosquitto, EMQX).
 * A persistent session (clean: false, fixed client id) lets the broker queue QoS 1 messages while
 * the gateway restarts, and PUBACK is sent only after the handler finished (handleMessage), so
 * an acknowledged message is a stored one. With a shared group set, subscriptions use
 * `$share/{group}/…` (MQTT 5) to spread devices across several gateways.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import { Errors, isIngestRefusal } from '../core/errors.ts';
import { topicMatches } from '../contracts/topics.ts';
import type { InboundMessage, MessageHandler, PublishOptions, Transport } from './transport.ts';

export interface ExternalClientOptions {
  url: string;
  username: string | null;
  password: string | null;
  clientId: string;
  sharedGroup: string | null;
  log: Logger;
  /** Stamps each message's arrival (dead letters report it). */
  clock: Clock;
}

export class ExternalClient implements Transport {
  readonly mode = 'external' as const;
  private client: MqttClient | null = null;
  private readonly handlers: Array<{ filter: string; handler: MessageHandler }> = [];

  constructor(private readonly options: ExternalClientOptions) {}

  async start(): Promise<void> {
    const { url, username, password, clientId, sharedGroup, log } = this.options;
    const client = mqtt.connect(url, {
      clientId,
      clean: false,
      protocolVersion: sharedGroup ? 5 : 4,
      reconnectPeriod: 1000, // ms between reconnect attempts
      connectTimeout: 10_000,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    });
    // Handlers are registered before connecting (see subscribe), so the messages a persistent
    // session delivers right after CONNACK already have somewhere to go.
    client.handleMessage = (packet, done) =>
      this.dispatch(
        {
          topic: packet.topic,
          payload: Buffer.from(packet.payload),
          receivedAt: this.options.clock.now(),
          qos: packet.qos,
        },
        done,
      );
    client.on('error', (err) => log.warn({ err: err.message }, 'external broker error'));
    client.on('reconnect', () => log.info('reconnecting to external broker'));
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    for (const filter of new Set(this.handlers.map((h) => h.filter))) await this.subscribeOnBroker(filter);
    log.info({ url: redactUrl(url), sharedGroup }, 'connected to external MQTT broker');
  }

  /** May be called before start(): the subscription is made when the client connects. */
  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    this.handlers.push({ filter, handler });
    if (this.client?.connected) await this.subscribeOnBroker(filter);
  }

  private async subscribeOnBroker(filter: string): Promise<void> {
    const group = this.options.sharedGroup;
    await this.requireClient().subscribeAsync(group ? `$share/${group}/${filter}` : filter, { qos: 1 });
  }

  private dispatch(msg: InboundMessage, done: (err?: Error) => void): void {
    const matched = this.handlers.filter((h) => topicMatches(h.filter, msg.topic));
    Promise.all(matched.map((h) => h.handler(msg))).then(
      () => done(),
      (err: unknown) => {
        if (!isIngestRefusal(err))
          this.options.log.error({ err, topic: msg.topic }, 'message handler failed');
        // Not taken, so no PUBACK. A broker redelivers unacknowledged messages only on a new
        // connection: drop this one, and mqtt.js reconnects after reconnectPeriod.
        done(err as Error);
        this.client?.stream.destroy();
      },
    );
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    await this.requireClient().publishAsync(topic, payload, {
      qos: options.qos ?? 0,
      retain: options.retain ?? false,
    });
  }

  async stop(): Promise<void> {
    if (!this.client) return;
    await this.client.endAsync();
    this.client = null;
  }

  hasSubscribers(): boolean {
    return true;
  }

  describe(): Record<string, string | number> {
    return { mode: this.mode, url: redactUrl(this.options.url) };
  }

  private requireClient(): MqttClient {
    if (!this.client) throw Errors.transportNotStarted('external MQTT client not started');
    return this.client;
  }
}

function redactUrl(raw: string): string {
  const u = new URL(raw);
  if (u.password) u.password = '***';
  return u.toString();
}
