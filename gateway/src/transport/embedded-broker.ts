/**
 * Embedded transport: an aedes broker on TCP (WEIGE_MQTT_PORT) and, through the HTTP server,
 * MQTT over WebSocket at /mqtt. The gateway subscribes in-process (no client hop).
 *
 * aedes writes a QoS 1 PUBACK *before* it routes the message (lib/handlers/publish.js), so a
 * plain in-process subscription would acknowledge messages the gateway has not stored yet. The
 * gateway's handlers therefore run inside `authorizePublish`, which aedes awaits before the
 * PUBACK (and before publishing a will): an acknowledged message is a stored message. Publishes
 * without a client (the gateway's own) reach handlers through an ordinary broker subscription.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import {
  Aedes,
  type AedesPublishPacket,
  type AuthenticateHandler,
  type AuthorizePublishHandler,
  type AuthorizeSubscribeHandler,
  type Client,
} from 'aedes';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import { Errors, isIngestRefusal } from '../core/errors.ts';
import type { BrokerPolicy, ClientIdentity } from './broker-policy.ts';
import type { ConnectionGuard } from './connection-guard.ts';
import { topicMatches } from '../contracts/topics.ts';
import { BoundedMemo } from '../core/bounded-memo.ts';
import { ReadGate, type ReadGateMetrics } from './read-gate.ts';
import type { InboundMessage, IntakeLoad, MessageHandler, PublishOptions, Transport } from './transport.ts';

const IDENTITY = Symbol('weige.identity');
type IdentifiedClient = Client & { [IDENTITY]?: ClientIdentity };
/** aedes keeps each client's filters in `client.subscriptions` (lib/client.js), untyped. */
const MAX_MEMO_TOPICS = 10_000;
type SubscribedClient = Client & { subscriptions?: Record<string, unknown> };

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  policy: BrokerPolicy;
  log: Logger;
  /** Stamps each message's arrival (dead letters report it). */
  clock: Clock;
  /** Caps TCP connections, in all and per address. */
  guard: ConnectionGuard;
  /** A socket that has not sent CONNECT by then is closed. */
  connectTimeoutS: number;
  /** Told of every publish the policy refused (the connection is closed), so it is counted. */
  onPublishDenied?: (msg: InboundMessage, deviceId: string | null, reason: string) => void;
  /** Counts the connections held back from reading (holdBackWhileFull). */
  metrics: ReadGateMetrics;
}

export class EmbeddedBroker implements Transport {
  readonly mode = 'embedded' as const;
  private broker: Aedes | null = null;
  private server: net.Server | null = null;
  private port = 0;
  private readonly subscriptions: Array<{
    filter: string;
    handler: MessageHandler;
    deliver: (p: AedesPublishPacket, cb: () => void) => void;
  }> = [];
  /** Connected clients, whose `subscriptions` aedes keeps up to date (restored sessions too). */
  private readonly clients = new Set<SubscribedClient>();
  /** Topic → whether a client filter matches it; rebuilt lazily after any subscription change. */
  private readonly subscribedTopics = new BoundedMemo<boolean>(MAX_MEMO_TOPICS);
  private clientFilters: string[] | null = null;
  /** Topic → the gateway handlers whose filter matches it (matching every message cost ~4 % CPU). */
  private readonly handlersByTopic = new BoundedMemo<MessageHandler[]>(MAX_MEMO_TOPICS);
  /** Holds back reading connections that sent QoS 0 until ingest has room (holdBackWhileFull). */
  private readGate: ReadGate<Client> | null = null;
  /** Ingest's intake and handler: a QoS 0 publish only it takes is shed before routing while full. */
  private intake: { load: IntakeLoad; handler: MessageHandler } | null = null;
  /** Publishes shed in authorizePublish, which aedes's publish step then does not route. */
  private readonly shedPackets = new WeakSet<object>();

  constructor(private readonly options: EmbeddedBrokerOptions) {}

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({
      heartbeatInterval: 60_000,
      connectTimeout: this.options.connectTimeoutS * 1000,
    });
    broker.authenticate = this.authenticate;
    broker.authorizePublish = this.authorizePublish;
    broker.authorizeSubscribe = this.authorizeSubscribe;
    this.skipShedPackets(broker);
    this.watchClients(broker);
    this.broker = broker;
    for (const s of this.subscriptions) await this.subscribeOnBroker(broker, s.filter, s.deliver);
    await this.listen(broker);
  }

  /** CONNECT: the policy decides; the client carries its identity from then on. */
  private readonly authenticate: AuthenticateHandler = (client, username, password, done) => {
    const { policy, log } = this.options;
    policy.authenticate({ clientId: client.id, username, password, address: remoteAddress(client) }).then(
      (decision) => {
        if ('refused' in decision) {
          // Throttled attempts are counted in weige_logins_refused_total; logging each would flood.
          const level =
            decision.reason.endsWith('throttled') || decision.reason === 'busy' ? 'debug' : 'warn';
          log[level](
            { clientId: client.id, username, reason: decision.reason },
            `mqtt connection refused: ${decision.message}`,
          );
          const err = Object.assign(new Error(decision.message), { returnCode: decision.refused });
          return done(err, false);
        }
        (client as IdentifiedClient)[IDENTITY] = decision.identity;
        done(null, true);
      },
      (err: unknown) => {
        log.error({ err, clientId: client.id }, 'mqtt authentication failed');
        done(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }), false);
      },
    );
  };

  /** Every client publish, before its PUBACK: the policy, then the gateway's handlers (see above). */
  private readonly authorizePublish: AuthorizePublishHandler = (client, packet, done) => {
    const { policy, log } = this.options;
    const identity = client ? (client as IdentifiedClient)[IDENTITY] : undefined;
    if (!identity) return done(new Error('not authenticated'));
    const msg: InboundMessage = {
      topic: packet.topic,
      payload: toBuffer(packet.payload),
      receivedAt: this.options.clock.now(),
      qos: packet.qos,
      trusted: identity.type === 'service',
    };
    const denied = policy.checkPublish(identity, packet.topic);
    if (denied) {
      log.warn({ clientId: client?.id, topic: packet.topic }, `mqtt publish denied: ${denied}`);
      this.options.onPublishDenied?.(msg, identity.type === 'device' ? identity.deviceId : null, denied);
      return done(new Error(denied));
    }
    const gate = this.readGate;
    // A connection that sent QoS 0 reads on at ingest's next turn with room (see ReadGate); one
    // that sent QoS 1 reads on once it is stored (or after waiting for room, unacknowledged).
    const completed =
      client && gate && (msg.qos ?? 0) === 0
        ? (): void => gate.complete(client, () => done(null))
        : (): void => done(null);
    if (this.shedBeforeRouting(msg)) {
      // Counted by ingest; no handler, promise or routing to subscribers for it (issue 16: a
      // flood's first reads, shed message by message through all that, blocked the loop for seconds).
      this.shedPackets.add(packet);
      return completed();
    }
    // A handler that did not take the message (store not writable, device over its limits)
    // rejects: done(err) closes the connection without a PUBACK, and the device resends.
    const handled = this.runHandlers(msg);
    if (handled) handled.then(completed, (err: Error) => done(err));
    else completed();
  };

  holdBackWhileFull(intake: IntakeLoad, handler: MessageHandler): void {
    this.readGate = new ReadGate<Client>(intake, stopReading, this.options.metrics);
    this.intake = { load: intake, handler };
  }

  /** A QoS 0 publish that only ingest takes, while ingest is full: shed now (and counted). */
  private shedBeforeRouting(msg: InboundMessage): boolean {
    const intake = this.intake;
    if (!intake || (msg.qos ?? 0) !== 0 || !intake.load.full) return false;
    const handlers = this.handlersFor(msg.topic);
    return handlers.length === 1 && handlers[0] === intake.handler && intake.load.shedIfFull(msg);
  }

  /**
   * aedes routes a QoS 0 publish (broker.publish) once authorizePublish has let it through, and
   * any error there closes the connection: a shed publish is let through and skipped here.
   */
  private skipShedPackets(broker: Aedes): void {
    const route = broker.publish.bind(broker) as (packet: object, ...rest: unknown[]) => void;
    const publish = (packet: object, ...rest: unknown[]): void => {
      if (!this.shedPackets.has(packet)) return route(packet, ...rest);
      const done = rest.at(-1);
      if (typeof done === 'function') (done as () => void)();
    };
    broker.publish = publish as Aedes['publish'];
  }

  /** A refused filter gets SUBACK 0x80; the connection stays up. */
  private readonly authorizeSubscribe: AuthorizeSubscribeHandler = (client, sub, done) => {
    const { policy, log } = this.options;
    const identity = (client as IdentifiedClient)[IDENTITY];
    const denied = identity ? policy.checkSubscribe(identity, sub.topic) : 'not authenticated';
    if (denied) {
      log.warn({ clientId: client.id, topic: sub.topic }, `mqtt subscribe denied: ${denied}`);
      return done(null, null); // SUBACK 0x80 for this filter; the connection stays up
    }
    done(null, sub);
  };

  /** Logs client errors and keeps the connected clients, whose filters decide what is subscribed. */
  private watchClients(broker: Aedes): void {
    const log = this.options.log;
    broker.on('clientError', (client, err) =>
      log.debug({ clientId: client.id, err: err.message }, 'mqtt client error'),
    );
    broker.on('connectionError', (client, err) =>
      log.debug({ clientId: client.id, err: err.message }, 'mqtt connection error'),
    );
    const subscriptionsChanged = (): void => {
      this.clientFilters = null;
    };
    broker.on('clientReady', (client) => {
      this.clients.add(client);
      subscriptionsChanged();
    });
    broker.on('clientDisconnect', (client) => {
      this.clients.delete(client);
      this.readGate?.forget(client);
      subscriptionsChanged();
    });
    broker.on('subscribe', subscriptionsChanged);
    broker.on('unsubscribe', subscriptionsChanged);
  }

  private async listen(broker: Aedes): Promise<void> {
    const guard = this.options.guard;
    this.server = net.createServer((socket) => {
      if (guard.admit(socket)) broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host, () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    this.options.log.info({ port: this.port }, 'embedded MQTT broker listening');
  }

  /** Hands a WebSocket connection (from the HTTP server's /mqtt route) to the broker. */
  handleStream(stream: Duplex, request?: IncomingMessage): void {
    if (!this.broker) throw Errors.transportNotStarted('broker not started');
    this.broker.handle(stream, request);
  }

  /** May be called before start(): the subscription is made when the broker is created. */
  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    // Client publishes were handled before their PUBACK (see authorizePublish); aedes stamps
    // them with the client id, so only the gateway's own publishes are handled here.
    const deliver = (packet: AedesPublishPacket, cb: () => void): void => {
      if ((packet as AedesPublishPacket & { clientId?: string }).clientId) return cb();
      const handled = this.runHandlers(
        {
          topic: packet.topic,
          payload: toBuffer(packet.payload),
          receivedAt: this.options.clock.now(),
          trusted: true,
        },
        handler,
      );
      if (handled) handled.then(cb, cb);
      else cb();
    };
    this.subscriptions.push({ filter, handler, deliver });
    this.handlersByTopic.clear();
    if (this.broker) await this.subscribeOnBroker(this.broker, filter, deliver);
  }

  /**
   * Runs the matching handlers (or just `only`); a promise when any of them is asynchronous or
   * failed, which rejects when any of them did not take the message.
   */
  private runHandlers(msg: InboundMessage, only?: MessageHandler): Promise<void> | null {
    const pending: Promise<void>[] = [];
    const handlers = only ? [only] : this.handlersFor(msg.topic);
    for (const handler of handlers) {
      try {
        const result = handler(msg);
        if (result instanceof Promise) pending.push(result);
      } catch (err) {
        pending.push(Promise.reject(err as Error));
      }
    }
    if (!pending.length) return null;
    return Promise.all(pending).then(
      () => undefined,
      (err: unknown) => {
        this.logHandlerError(err, msg.topic);
        throw err;
      },
    );
  }

  private handlersFor(topic: string): MessageHandler[] {
    return this.handlersByTopic.get(topic, () =>
      this.subscriptions.filter((s) => topicMatches(s.filter, topic)).map((s) => s.handler),
    );
  }

  private logHandlerError(err: unknown, topic: string): void {
    // Refusals are logged once per change of state where they are decided, not per message.
    if (isIngestRefusal(err)) {
      if (this.options.log.isLevelEnabled('debug'))
        this.options.log.debug({ topic, err: err.message }, 'message refused');
      return;
    }
    this.options.log.error({ err, topic }, 'message handler failed');
  }

  private subscribeOnBroker(
    broker: Aedes,
    filter: string,
    deliver: (p: AedesPublishPacket, cb: () => void) => void,
  ): Promise<void> {
    return new Promise<void>((resolve) => broker.subscribe(filter, deliver, resolve));
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

  hasSubscribers(topic: string): boolean {
    if (!this.clientFilters) {
      const filters = new Set<string>();
      for (const client of this.clients)
        for (const filter of Object.keys(client.subscriptions ?? {})) filters.add(filter);
      this.clientFilters = [...filters];
      this.subscribedTopics.clear();
    }
    const filters = this.clientFilters;
    return this.subscribedTopics.get(topic, () => filters.some((f) => topicMatches(f, topic)));
  }

  async stop(): Promise<void> {
    const broker = this.broker;
    if (!broker) return;
    this.handlersByTopic.clear();
    for (const s of this.subscriptions.splice(0))
      await new Promise<void>((r) => broker.unsubscribe(s.filter, s.deliver, r));
    // The broker first: closing it disconnects every client, which lets the TCP server close.
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.broker = null;
    this.server = null;
    this.clients.clear();
    this.clientFilters = null;
  }

  describe(): Record<string, string | number> {
    return { mode: this.mode, mqttPort: this.port };
  }

  private requireBroker(): Aedes {
    if (!this.broker) throw Errors.transportNotStarted('broker not started');
    return this.broker;
  }
}

/**
 * aedes reads a connection on its stream's 'readable' events (lib/client.js); without a listener
 * the stream's buffer fills, the socket stops reading, and TCP holds the sender back.
 */
function stopReading(client: Client): () => void {
  const conn = client.conn as Duplex;
  const listeners = conn.listeners('readable') as Array<() => void>;
  for (const listener of listeners) conn.removeListener('readable', listener);
  return () => {
    for (const listener of listeners) conn.on('readable', listener);
  };
}

/** The client's address: the TCP peer, or for MQTT over WebSocket the HTTP request's peer. */
function remoteAddress(client: Client): string {
  const conn = client.conn as Partial<net.Socket>;
  return conn.remoteAddress ?? client.req?.socket?.remoteAddress ?? 'unknown';
}

function toBuffer(payload: AedesPublishPacket['payload']): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}
