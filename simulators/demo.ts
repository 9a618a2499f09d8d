/**
 * `npm run demo`: the gateway on its default settings (embedded broker, SQLite in ./data) plus the
 * simulator connected as the `simulator` service account, playing simulators/scenarios/demo.yaml:
 * 36 h of back-filled community life sent at once, then live at real time with scripted incidents
 * in the first minute (thrown flower pot, shed-1 battery runaway, littering) and an elderly
 * resident without water use since 14 h ago. Stage modules registered in gateway/src/modules.ts
 * (rules, alerting, …) run as usual and raise the alerts. Ctrl-C stops both.
 */
import { loadSiteFile } from '../gateway/src/config/site-loader.ts';
import { Gateway } from '../gateway/src/gateway.ts';
import { WeigeError } from '../gateway/src/core/errors.ts';
import { AbsenceAnnouncer } from './core/api-announcer.ts';
import { runOverMqtt } from './core/mqtt-runner.ts';
import { generatedAccountSecret } from './core/local-secret.ts';
import { isoLocal } from './core/time.ts';
import { createSimulation } from './simulation.ts';
import { TruthWriter } from './truth-writer.ts';

const SCENARIO = process.env.WEIGE_DEMO_SCENARIO ?? 'simulators/scenarios/demo.yaml';

async function main(): Promise<void> {
  let gateway: Gateway;
  try {
    gateway = new Gateway();
  } catch (err) {
    if (err instanceof WeigeError) {
      console.error(`weige demo: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  await gateway.start();
  const settings = gateway.ctx.settings;
  const host = (h: string): string => (h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h);
  const brokerUrl = settings.mqttUrl ?? `mqtt://${host(settings.mqttHost)}:${gateway.mqttPort}`;
  const truthFile = process.env.WEIGE_DEMO_TRUTH ?? `${settings.dataDir}/demo-truth.jsonl`;
  const truth = new TruthWriter(truthFile);
  const site = loadSiteFile(settings.siteFile);
  // Announced absences are recorded as a grid worker would, so the dashboard shows them.
  const announcer = new AbsenceAnnouncer({
    apiUrl: `http://${host(settings.httpHost)}:${gateway.httpPort}`,
    site,
    onError: (m) => gateway.ctx.log.warn({ ns: 'weige:demo' }, m),
  });
  const sim = createSimulation({
    site,
    scenario: SCENARIO,
    onTruth: (r) => {
      truth.write(r);
      announcer.handle(r);
    },
  });
  console.log(
    [
      '',
      `  Weige demo — ${sim.scenario.description ?? sim.scenario.name}`,
      `  dashboard/API  http://localhost:${gateway.httpPort}  (login engineer / weige-demo; docs at /docs)`,
      `  MQTT           ${brokerUrl}`,
      `  simulating     ${isoLocal(sim.startMs)} (back-fill) → live from ${isoLocal(sim.liveFromMs ?? sim.startMs)}`,
      `  ground truth   ${truthFile}`,
      '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const controller = new AbortController();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    controller.abort();
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  let lastLog = 0;
  const password = generatedAccountSecret('simulator', settings.dataDir);
  const result = await runOverMqtt(sim.engine, {
    brokerUrl,
    ...(password ? { password } : {}),
    speed: 1,
    liveFromMs: sim.liveFromMs,
    signal: controller.signal,
    onProgress: (p) => {
      if (Date.now() - lastLog < 10_000) return;
      lastLog = Date.now();
      gateway.ctx.log.info(
        { simTime: isoLocal(p.simTime), messages: p.messages, incidents: p.incidents },
        'demo simulator progress',
      );
    },
  });
  gateway.ctx.log.info({ messages: result.messages, aborted: result.aborted }, 'demo simulator stopped');
  await truth.close();
  await announcer.flush();
  await gateway.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
