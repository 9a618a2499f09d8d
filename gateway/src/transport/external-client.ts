/**
 * External transport: the gateway as an mqtt.js client of another broker (Mosquitto, EMQX).
 * A persistent session (clean: false, fixed client id) lets the broker queue QoS 1 messages while
 * the gateway restarts, and PUBACK is sent only after the handler finished (handleMessage), so
 * an acknowledged message is a stored one. With a shared group set, subscriptions use
 * `$share/{group}/…` (MQTT 5) to spread devices across several gateways.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../core/logger.ts';
import { Errors } from '../core/errors.ts';
import { topicMatches } from '../contracts/topics.ts';
import type { InboundMessage, MessageHandler, PublishOptions, Transport } from './transport.ts';

/** Messages held while no handler is registered yet (after a reconnect with a stored session). */
const MAX_HELD_MESSAGES = 100_000;

export interface ExternalClientOptions {
  url: string;
  username: string | null;
  password: string | null;
  clientId: string;
  sharedGroup: string | null;
  log: Logger;
}

export class ExternalClient implements Transport {
  readonly mode = 'external' as const;
  private client: MqttClient | null = null;
  private readonly handlers: Array<{ filter: string; handler: MessageHandler }> = [];
  private held: Array<{ msg: InboundMessage; done: () => void }> = [];

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
    client.handleMessage = (packet, done) => {
      const msg = { topic: packet.topic, payload: Buffer.from(packet.payload), receivedAt: Date.now() };
      // A persistent session delivers queued messages right after CONNACK, before the gateway
      // has registered its handlers again: hold them (unacknowledged) until a handler matches.
      if (!this.handlers.some((h) => topicMatches(h.filter, msg.topic))) {
        if (this.held.length >= MAX_HELD_MESSAGES)
          log.error({ topic: msg.topic }, 'no handler and hold queue full; message left unacknowledged');
        else this.held.push({ msg, done });
        return;
      }
      this.dispatch(msg, done);
    };
    client.on('error', (err) => log.warn({ err: err.message }, 'external broker error'));
    client.on('reconnect', () => log.info('reconnecting to external broker'));
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    log.info({ url: redactUrl(url), sharedGroup }, 'connected to external MQTT broker');
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    const client = this.requireClient();
    this.handlers.push({ filter, handler });
    const ready = this.held.filter((h) => topicMatches(filter, h.msg.topic));
    this.held = this.held.filter((h) => !topicMatches(filter, h.msg.topic));
    for (const h of ready) this.dispatch(h.msg, h.done);
    const group = this.options.sharedGroup;
    await client.subscribeAsync(group ? `$share/${group}/${filter}` : filter, { qos: 1 });
  }

  private dispatch(msg: InboundMessage, done: () => void): void {
    const matched = this.handlers.filter((h) => topicMatches(h.filter, msg.topic));
    Promise.all(matched.map((h) => h.handler(msg)))
      .catch((err: unknown) => this.options.log.error({ err, topic: msg.topic }, 'message handler failed'))
      .finally(() => done());
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

  describe(): Record<string, string | number> {
    return { mode: this.mode, url: redactUrl(this.options.url) };
  }

  private requireClient(): MqttClient {
    if (!this.client) throw Errors.transportFailed('external MQTT client not started');
    return this.client;
  }
}

function redactUrl(raw: string): string {
  const u = new URL(raw);
  if (u.password) u.password = '***';
  return u.toString();
}
