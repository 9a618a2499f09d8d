/**
 * What the gateway's thread and the rules worker say to each other (worker-host.ts ↔
 * rules-worker.ts). Everything here is plain data: it crosses the thread by structured clone.
 * Every message from the gateway carries its clock's `now`: the worker has no clock of its own, so
 * its time (ticks, health changes, windows at start) is the gateway's, and a `for:` timer runs on
 * the same ticks in the worker as in the gateway's thread.
 */
import type { Detection } from '../../contracts/alerts.ts';
import type { DeviceHealth } from '../../contracts/events.ts';
import type { Device, Site } from '../../contracts/site.ts';

/** A rule as the worker compiles it: the same file text the gateway's registry compiled. */
export interface RuleSource {
  file: string;
  text: string;
}

/** What the worker starts with (`workerData`). */
export interface WorkerInit {
  /** The database file (WAL): the worker opens its own connection. */
  dbFile: string;
  /** The site file; the worker reads the devices registered at run time from the database. */
  site: Site;
  rules: RuleSource[];
  now: number;
  logLevel: string;
}

export type WorkerCall = 'drain' | 'counts' | 'stop';

export type ToWorker =
  /** Ingest committed something: evaluate what was stored past the cursor. */
  | { type: 'wake'; now: number }
  /** The gateway's clock reached a tick: what time alone can change (`for:`, age). */
  | { type: 'tick'; now: number }
  | { type: 'health'; health: DeviceHealth; now: number }
  | { type: 'rules'; rules: RuleSource[]; now: number }
  | { type: 'devices'; devices: Device[]; now: number }
  /** Alerting has stored the detections of this batch. */
  | { type: 'ack'; batch: number }
  | { type: 'call'; id: number; call: WorkerCall };

export type InstanceCounts = Array<[string, { pending: number; firing: number }]>;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'detections'; batch: number; detections: Detection[] }
  | { type: 'reply'; id: number; counts?: InstanceCounts }
  /** One JSON log line (pino) from the worker, for the gateway's log. */
  | { type: 'log'; line: string };
