/** Runs the real gateway entry point (`gateway/src/main.ts`) as a child process on free ports. */
import { freePort } from './ports.ts';
import { spawnEntry, type EntryProcess } from './entry-process.ts';

export interface GatewayProcess extends EntryProcess {
  http: string;
  mqttUrl: string;
}

export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const http = `http://127.0.0.1:${httpPort}`;
  const proc = await spawnEntry(
    'gateway/src/main.ts',
    {
      WEIGE_HTTP_PORT: String(httpPort),
      WEIGE_MQTT_PORT: String(mqttPort),
      WEIGE_HTTP_HOST: '127.0.0.1',
      WEIGE_MQTT_HOST: '127.0.0.1',
      WEIGE_LOG_LEVEL: 'warn',
      ...env,
    },
    `${http}/healthz`,
    'gateway',
  );
  return { ...proc, http, mqttUrl: `mqtt://127.0.0.1:${mqttPort}` };
}
