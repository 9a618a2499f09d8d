/**
 * A login storm in its own process (so that its own work does not slow the gateway's event loop
 * in the test process): wrong passwords over HTTP and MQTT CONNECT at `rate` per second each,
 * from 20 addresses of 127.0.0.0/8, for `seconds`. Prints the outcomes as one JSON line.
 *
 *   node --import tsx test/helpers/login-storm.ts <http-url> <mqtt-url> <rate> <seconds>
 */
import http from 'node:http';
import net from 'node:net';
import mqtt from 'mqtt';

const [httpUrl, mqttUrl, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const httpPort = Number(new URL(httpUrl!).port);
const mqttPort = Number(new URL(mqttUrl!).port);
const outcomes = { http: {} as Record<string, number>, mqtt: {} as Record<string, number> };
const count = (channel: 'http' | 'mqtt', outcome: string | number): void => {
  outcomes[channel][outcome] = (outcomes[channel][outcome] ?? 0) + 1;
};
const address = (i: number): string => `127.0.0.${100 + (i % 20)}`;

function wrongLogin(i: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: httpPort,
        method: 'POST',
        path: '/api/auth/login',
        localAddress: address(i),
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          count('http', res.statusCode ?? 0);
          resolve();
        });
      },
    );
    req.on('error', (err: Error & { code?: string }) => {
      count('http', `error ${err.code ?? err.message}`);
      resolve();
    });
    req.end(JSON.stringify({ username: i % 2 ? 'admin' : `nobody-${i}`, password: `wrong-${i}` }));
  });
}

function wrongConnect(i: number): Promise<void> {
  return new Promise((resolve) => {
    const id = i % 2 ? `wm-B5-1-${100 + (i % 50)}` : `ghost-${i}`;
    const client = new mqtt.MqttClient(
      () => net.connect({ port: mqttPort, host: '127.0.0.1', localAddress: address(i) }),
      {
        username: id,
        password: `wrong-${i}`,
        clientId: id,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      },
    );
    const done = (outcome: string | number): void => {
      count('mqtt', outcome);
      client.end(true);
      resolve();
    };
    client.once('connect', () => done(0));
    client.once('error', (err) => done((err as Error & { code?: number | string }).code ?? err.message));
  });
}

const pending: Promise<void>[] = [];
const total = rate * seconds;
const started = performance.now();
for (let i = 0; i < total; i++) {
  // Paced by the schedule, not by answers: a slow gateway faces the same storm.
  const due = started + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(wrongLogin(i), wrongConnect(i));
}
await Promise.all(pending);
console.log(JSON.stringify(outcomes));
