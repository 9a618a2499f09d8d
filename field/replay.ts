/**
 * Publishes a scene to a running gateway, in event-time order, QoS 1, as fast as the broker
 * acknowledges (a window of messages in flight). Commands the gateway sends to devices (port
 * cut-offs) are answered `ok` as a device would and recorded with the scene time they came at.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { COMMANDS_FILE, MESSAGES_FILE, readJsonl, type SceneMessage } from './scene.ts';

export interface ReplayOptions {
  dir: string;
  broker: string;
  username: string;
  password: string;
  /** Messages in flight at once. */
  window: number;
  progress?: (done: number, total: number) => void;
}

export interface RecordedCommand {
  /** Event time of the last message published before the command arrived. */
  sceneTs: number;
  topic: string;
  payload: string;
}

export async function replayScene(
  o: ReplayOptions,
): Promise<{ published: number; elapsedMs: number; commands: number }> {
  const messages = readJsonl<SceneMessage>(join(o.dir, MESSAGES_FILE));
  const client = await mqtt.connectAsync(o.broker, {
    username: o.username,
    password: o.password,
    clientId: `weige-field-${process.pid}`,
    reconnectPeriod: 0,
  });
  const commands: RecordedCommand[] = [];
  let sceneTs = messages[0]?.ts ?? 0;
  client.on('message', (topic, payload) => {
    const text = payload.toString('utf8');
    commands.push({ sceneTs, topic, payload: text });
    const id = (JSON.parse(text) as { id?: string }).id;
    if (id) void client.publishAsync(`${topic}/result`, JSON.stringify({ id, ok: true }), { qos: 1 });
  });
  await client.subscribeAsync('weige/+/command', { qos: 1 });
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let done = 0;
  for (const m of messages) {
    if (inFlight.size >= o.window) await Promise.race(inFlight);
    sceneTs = m.ts;
    const p: Promise<unknown> = client.publishAsync(m.topic, m.payload, { qos: 1 }).finally(() => {
      inFlight.delete(p);
      if (++done % 1000 === 0) o.progress?.(done, messages.length);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  o.progress?.(done, messages.length);
  const elapsedMs = performance.now() - started;
  // Detections of the last messages may still be on their way to a command.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await client.endAsync();
  writeFileSync(
    join(o.dir, COMMANDS_FILE),
    commands.map((c) => JSON.stringify(c)).join('\n') + (commands.length ? '\n' : ''),
  );
  return { published: done, elapsedMs, commands: commands.length };
}
