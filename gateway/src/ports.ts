/**
 * The ports the composition root gives the stages: each stage names the one it needs, and
 * `gateway.ts` hands it the object behind it (the MQTT publisher, the outbox). Types only.
 */
import type { MessageHandler } from './transport/transport.ts';
import type { PublicationStaged } from './contracts/events.ts';

/** What a device receives on `weige/{deviceId}/command`. */
export interface DeviceCommand {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** Sends a command to a device (QoS 1); resolves when the broker has it. Alerting's playbooks. */
export interface CommandPort {
  sendCommand(deviceId: string, command: DeviceCommand): Promise<void>;
}

/** The MQTT side of the Node-RED bridge: flow detections in, canonical copies out when a flow watches. */
export interface FlowLink {
  subscribe(filter: string, handler: MessageHandler): Promise<void>;
  publishIfWatched(topic: string, build: () => string): void;
}

/** Publishes one outbox message (QoS 1); resolves on the broker's acknowledgement. */
export interface DurablePublish {
  publishDurable(topic: string, payload: string): Promise<void>;
}

/** An alert, or an incident as the API shows it, to go out (MQTT, robots, the street). */
export type Publication = PublicationStaged;

/** Stages a publication durably, inside the caller's transaction (it commits with the change). */
export interface OutboxPort {
  stage(publication: Publication): void;
}
