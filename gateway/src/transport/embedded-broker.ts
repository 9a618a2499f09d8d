/**
 * Embedded transport: an aedes broker on TCP (WEIGE_MQTT_PORT) and, through the HTTP server,
 * MQTT over WebSocket at /mqtt. The gateway itself subscribes in-process (no client hop), and a
 * QoS 1 PUBACK goes back to the device only after the gateway's handler has finished — so an
 * acknowledged message is a stored message.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import type { Logger } from '../core/logger.ts';
import { Errors } from '../core/errors.ts';
import type { BrokerPolicy, ClientIdentity } from './broker-policy.ts';
import type { MessageHandler, PublishOptions, Transport } from './transport.ts';

const IDENTITY = Symbol('weige.identity');
type IdentifiedClient = Client & { [IDENTITY]?: ClientIdentity };

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  policy: BrokerPolicy;
  log: Logger;
}

export class EmbeddedBroker implements Transport {
  readonly mode = 'embedded' as const;
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private port = 0;
  private readonly subscriptions: Array<{
    filter: string;
    deliver: (p: AedesPublishPacket, cb: () => void) => void;
  }> = [];

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  async start(): Promise<void> {
    const { policy, log } = this.options;
    const broker = await Aedes.createBroker({ heartbeatInterval: 60_000, connectTimeout: 30_000 });
    broker.authenticate = (client, username, password, done) => {
      const identity = policy.authenticate(username, password);
      if (!identity) {
        log.warn({ clientId: client.id, username }, 'mqtt connection refused: bad credentials');
        const err = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
        return done(err, false);
      }
      (client as IdentifiedClient)[IDENTITY] = identity;
      done(null, true);
    };
    broker.authorizePublish = (client, packet, done) => {
      const identity = client ? (client as IdentifiedClient)[IDENTITY] : undefined;
      if (!identity) return done(new Error('not authenticated'));
      const denied = policy.checkPublish(identity, packet.topic);
      if (denied) {
        log.warn({ clientId: client?.id, topic: packet.topic }, `mqtt publish denied: ${denied}`);
        return done(new Error(denied));
      }
      done(null);
    };
    broker.authorizeSubscribe = (client, sub, done) => {
      const identity = (client as IdentifiedClient)[IDENTITY];
      const denied = identity ? policy.checkSubscribe(identity, sub.topic) : 'not authenticated';
      if (denied) {
        log.warn({ clientId: client.id, topic: sub.topic }, `mqtt subscribe denied: ${denied}`);
        return done(null, null); // SUBACK 0x80 for this filter; the connection stays up
      }
      done(null, sub);
    };
    broker.on('clientError', (client, err) =>
      log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'),
    );
    broker.on('connectionError', (client, err) =>
      log.debug({ clientId: client.id, err: err.message }, 'mqtt connection error'),
    );
    this.broker = broker;

    this.server = net.createServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    log.info({ port: this.port }, 'embedded MQTT broker listening');
  }

  /** Hands a WebSocket connection (from the HTTP server's /mqtt route) to the broker. */
  handleStream(stream: Duplex, request?: IncomingMessage): void {
    if (!this.broker) throw Errors.transportFailed('broker not started');
    this.broker.handle(stream, request);
  }

  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    const broker = this.requireBroker();
    const log = this.options.log;
    const deliver = (packet: AedesPublishPacket, cb: () => void): void => {
      let result: void | Promise<void>;
      try {
        result = handler({ topic: packet.topic, payload: toBuffer(packet.payload), receivedAt: Date.now() });
      } catch (err) {
        log.error({ err, topic: packet.topic }, 'message handler failed');
        return cb();
      }
      if (result instanceof Promise) {
        result.then(cb, (err: unknown) => {
          log.error({ err, topic: packet.topic }, 'message handler failed');
          cb();
        });
      } else cb();
    };
    await new Promise<void>((resolve) => broker.subscribe(filter, deliver, resolve));
    this.subscriptions.push({ filter, deliver });
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}): Promise<void> {
    const broker = this.requireBroker();
    await new Promise<void>((resolve, reject) =>
      broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: options.qos ?? 0,
          retain: options.retain ?? false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  async stop(): Promise<void> {
    const broker = this.broker;
    if (!broker) return;
    for (const s of this.subscriptions.splice(0))
      await new Promise<void>((r) => broker.unsubscribe(s.filter, s.deliver, r));
    // The broker first: closing it disconnects every client, which lets the TCP server close.
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.broker = null;
    this.server = null;
  }

  describe(): Record<string, string | number> {
    return { mode: this.mode, mqttPort: this.port };
  }

  private requireBroker(): Aedes {
    if (!this.broker) throw Errors.transportFailed('broker not started');
    return this.broker;
  }
}

function toBuffer(payload: AedesPublishPacket['payload']): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}
