/**
 * `npm run demo`: the gateway on its default settings (embedded broker, SQLite in ./data) plus the
 * simulator connected as the `simulator` service account, playing simulators/scenarios/demo.yaml:
 * 36 h of back-filled community life sent at once, then live at real time with scripted incidents
 * in the first minutes (thrown flower pot, a shed-1 fire from a battery on a private lead,
 * littering) and an elderly resident without water use since 14 h ago. Stage modules registered in
 * gateway/src/modules.ts (rules, alerting, …) run as usual and raise the alerts. Ctrl-C stops both.
 */
import net from 'node:net';
import { readSettings, type Settings } from '../gateway/src/config/settings.ts';
import { loadSiteFile } from '../gateway/src/site/site-loader.ts';
import { Gateway } from '../gateway/src/gateway.ts';
import { WeigeError } from '../gateway/src/core/errors.ts';
import { AbsenceAnnouncer } from '../simulators/core/api-announcer.ts';
import { runOverMqtt } from '../simulators/core/mqtt-runner.ts';
import { generatedAccountSecret } from '../simulators/core/local-secret.ts';
import { isoLocal } from '../simulators/core/time.ts';
import { createSimulation } from '../simulators/simulation.ts';
import { TruthWriter } from '../simulators/truth-writer.ts';

const SCENARIO = process.env.WEIGE_DEMO_SCENARIO ?? 'simulators/scenarios/demo.yaml';

/** What /healthz of a running Weige gateway says (the parts the demo needs). */
interface RunningGateway {
  site: string;
  transport: { mode?: string; mqttPort?: number };
}

const localHost = (h: string): string => (h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h);

/** The Weige gateway answering at `apiUrl` (e.g. a running `npm start`), or null. */
async function runningGateway(apiUrl: string): Promise<RunningGateway | null> {
  // A referenced timer: a program that accepts and never answers must not let the process exit
  // silently (AbortSignal.timeout does not keep it alive).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2000);
  try {
    const res = await fetch(`${apiUrl}/healthz`, { signal: abort.signal });
    const body = (await res.json()) as Partial<RunningGateway>;
    return res.ok && typeof body.site === 'string' && body.transport ? (body as RunningGateway) : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Where the simulator sends: a gateway already running, or the demo's own. */
interface Target {
  gateway: Gateway | null;
  apiUrl: string;
  brokerUrl: string;
  notes: string[];
}

/** A configuration error is the user's to fix: say it in one line, not as a stack. */
async function orExit<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof WeigeError)) throw err;
    console.error(`weige demo: ${err.message}`);
    process.exit(2);
  }
}

/**
 * Next to a running gateway the demo drives it (simulator only); when its ports are taken by
 * something else, it starts its own gateway on free ports. Either way it says so.
 */
async function findTarget(settings: Settings): Promise<Target> {
  const configuredApi = `http://${localHost(settings.httpHost)}:${settings.httpPort}`;
  const running = settings.httpPort ? await runningGateway(configuredApi) : null;
  if (!running) return ownGateway(settings);
  return {
    gateway: null,
    apiUrl: configuredApi,
    brokerUrl:
      settings.mqttUrl ??
      `mqtt://${localHost(settings.mqttHost)}:${running.transport.mqttPort ?? settings.mqttPort}`,
    notes: [`  a gateway already runs at ${configuredApi}: the demo drives it (simulator only)`],
  };
}

async function ownGateway(settings: Settings): Promise<Target> {
  const notes: string[] = [];
  const overrides: Partial<Settings> = {};
  if (settings.httpPort && !(await portFree(settings.httpHost, settings.httpPort))) {
    overrides.httpPort = 0;
    notes.push(`  port ${settings.httpPort} is taken by another program: the demo gateway uses a free port`);
  }
  if (!settings.mqttUrl && settings.mqttPort && !(await portFree(settings.mqttHost, settings.mqttPort))) {
    overrides.mqttPort = 0;
    notes.push(`  port ${settings.mqttPort} is taken by another program: the demo broker uses a free port`);
  }
  const gateway = await orExit(() => Gateway.open({ settings: overrides }));
  await gateway.start();
  return {
    gateway,
    apiUrl: `http://${localHost(settings.httpHost)}:${gateway.httpPort}`,
    brokerUrl: settings.mqttUrl ?? `mqtt://${localHost(settings.mqttHost)}:${gateway.mqttPort}`,
    notes,
  };
}

async function main(): Promise<void> {
  const settings = await orExit(() => readSettings());
  const { gateway, apiUrl, brokerUrl, notes } = await findTarget(settings);
  // Driving another gateway, the demo has no log of its own: plain lines on the console.
  const log = gateway?.ctx.log ?? {
    info: (o: object, m: string) => console.log(`${m} ${JSON.stringify(o)}`),
    warn: (o: object, m: string) => console.warn(`${m} ${JSON.stringify(o)}`),
  };
  const truthFile = process.env.WEIGE_DEMO_TRUTH ?? `${settings.dataDir}/demo-truth.jsonl`;
  const truth = new TruthWriter(truthFile);
  const site = loadSiteFile(settings.siteFile);
  // Announced absences are recorded as a grid worker would, so the dashboard shows them.
  const announcer = new AbsenceAnnouncer({
    apiUrl,
    site,
    onError: (m) => log.warn({ ns: 'weige:demo' }, m),
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
      ...notes,
      `  dashboard/API  ${apiUrl.replace('127.0.0.1', 'localhost')}  (login engineer / weige-demo; docs at /docs)`,
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
      log.info(
        { simTime: isoLocal(p.simTime), messages: p.messages, incidents: p.incidents },
        'demo simulator progress',
      );
    },
  });
  log.info({ messages: result.messages, aborted: result.aborted }, 'demo simulator stopped');
  await truth.close();
  await announcer.flush();
  await gateway?.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
