/**
 * A flooding device, run as its own process (a real flooder is another machine, not a load on
 * the gateway's event loop): while flooding it publishes QoS 1 telemetry with up to WINDOW
 * messages in flight and QoS 0 telemetry as fast as its socket drains, and reconnects at once
 * whenever it is dropped. Controlled over stdin ("start", "stop"); says "ready" when loaded.
 * Usage: node --import tsx test/helpers/flooder.ts <mqttUrl> <deviceId> <password> <firstTsMs>
 */
import { createInterface } from 'node:readline';
import mqtt, { type MqttClient } from 'mqtt';

const [url, deviceId, password, firstTs] = process.argv.slice(2) as [string, string, string, string];
const WINDOW = 500;
const topic = `weige/${deviceId}/telemetry`;

let client: MqttClient | null = null;
let inFlight = 0;
let next = 0;

const reading = (): string =>
  JSON.stringify({ ts: Number(firstTs) + next++ * 1000, total_m3: 1 + next / 1e6 });

/** QoS 0 needs no acknowledgement: up to 20,000 messages/s (issue 14 saw 21 k/s) while the socket takes them. */
function firehose(c: MqttClient): void {
  if (client !== c) return;
  for (let i = 0; i < 100 && c.connected && c.stream.writableLength < 64 * 1024; i++)
    c.publish(topic, reading());
  setTimeout(() => firehose(c), 5);
}

function pump(c: MqttClient): void {
  while (client === c && inFlight < WINDOW) {
    inFlight++;
    c.publish(topic, reading(), { qos: 1 }, () => {
      inFlight--;
      setImmediate(() => pump(c));
    });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start' && !client) {
    const c = mqtt.connect(url, { clientId: deviceId, username: deviceId, password, reconnectPeriod: 10 });
    c.on('error', () => undefined);
    c.on('connect', () => pump(c));
    client = c;
    firehose(c);
  } else if (line === 'stop' && client) {
    const c = client;
    client = null;
    inFlight = 0;
    c.end(true); // forced: drops the socket and whatever is still queued
    process.stdout.write('stopped\n');
  }
});
process.stdout.write('ready\n');
