/**
 * The Transport seam: everything the gateway sends or receives over MQTT goes through it, so the
 * embedded aedes broker and an external broker (Mosquitto, EMQX, with MQTT 5 shared
 * subscriptions across several gateways) are interchangeable.
 */

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** Wall time the gateway received it, epoch ms. */
  receivedAt: number;
  /** MQTT QoS of the publish (0 when not given): a full ingest queue sheds QoS 0. */
  qos?: 0 | 1 | 2;
  /**
   * Published by a service account of the embedded broker (simulator replays, Node-RED) or by
   * the gateway itself: exempt from per-device ingest limits, which are meant for devices.
   */
  trusted?: boolean;
}

/**
 * Handlers reject with `Errors.ingestRefused` when they did not take a message (store not
 * writable, device over its limits): the transport then withholds the acknowledgement.
 */

/** Handlers resolve when the message is safely handled; QoS 1 acks wait for that. */
export type MessageHandler = (msg: InboundMessage) => void | Promise<void>;

export interface PublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

/**
 * Ingest's intake as a transport sees it (issue 16): while it is full, a message read now is shed
 * (QoS 0) or waits unacknowledged (QoS 1), so the transport had better read less.
 */
export interface IntakeLoad {
  readonly full: boolean;
  /** Calls `resume` once, at the end of the first turn of the event loop that has room. */
  whenRoom(resume: () => void): void;
  /**
   * While full, counts a QoS 0 message as shed (`overload`, as its handler would) and returns
   * true: the transport then drops it before any other work. Otherwise false.
   */
  shedIfFull(msg: InboundMessage): boolean;
}

export interface Transport {
  readonly mode: 'embedded' | 'external';
  start(): Promise<void>;
  stop(): Promise<void>;
  subscribe(filter: string, handler: MessageHandler): Promise<void>;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /**
   * False only when no client outside the gateway is subscribed to a matching filter, so an
   * optional QoS 0 feed can skip building the message. An external broker can't tell: true.
   */
  hasSubscribers(topic: string): boolean;
  /**
   * Reads a connection that sent QoS 0 again only at the end of ingest's next turn with room, so
   * that a flood waits in TCP, not in memory; and sheds a QoS 0 publish that only `handler`
   * (ingest's) takes before routing it, while the intake is full. Only the embedded broker needs
   * it: mqtt.js (external) hands over one message at a time and reads on only once its handler
   * has settled.
   */
  holdBackWhileFull?(intake: IntakeLoad, handler: MessageHandler): void;
  /** Ports and URLs, for logs and tests. */
  describe(): Record<string, string | number>;
}
