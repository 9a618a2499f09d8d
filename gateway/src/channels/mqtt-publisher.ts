/**
 * The one place the gateway publishes on MQTT: device commands (alerting's `CommandPort`), the
 * canonical copies Node-RED flows watch (the rules' `FlowLink`) and the outbox's alerts and
 * incident changes. The stages declare the port they need; the composition root hands them this.
 */
import { topics } from '../contracts/topics.ts';
import type { CommandPort, DeviceCommand, DurablePublish, FlowLink } from '../ports.ts';
import type { MessageHandler, Transport } from '../transport/transport.ts';

export class MqttPublisher implements CommandPort, FlowLink, DurablePublish {
  constructor(private readonly transport: Transport) {}

  /** QoS 1 to `weige/{deviceId}/command`; resolves on the broker's PUBACK. */
  sendCommand(deviceId: string, command: DeviceCommand): Promise<void> {
    return this.transport.publish(topics.command(deviceId), JSON.stringify(command), { qos: 1 });
  }

  /** QoS 1; resolves on the broker's PUBACK (the outbox marks the row sent then). */
  publishDurable(topic: string, payload: string): Promise<void> {
    return this.transport.publish(topic, payload, { qos: 1 });
  }

  /** QoS 0, and only when a client listens: building a copy of every reading costs ~8 % of ingest. */
  publishIfWatched(topic: string, build: () => string): void {
    if (!this.transport.hasSubscribers(topic)) return;
    this.transport.publish(topic, build(), { qos: 0 }).catch(() => undefined);
  }

  subscribe(filter: string, handler: MessageHandler): Promise<void> {
    return this.transport.subscribe(filter, handler);
  }
}
