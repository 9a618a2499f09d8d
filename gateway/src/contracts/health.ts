/** What GET /healthz reports beyond "up": the problems that keep the gateway from all its work. */

export interface HealthProblem {
  /** `store`: device messages are refused (no PUBACK); `influx`: readings spool on disk. */
  component: 'store' | 'influx';
  /** store: low_disk_space, disk_full, io_error, locked, read_only, corrupt; influx: unreachable. */
  reason: string;
  detail: string | null;
  /** Epoch ms since when. */
  since: number;
}

export interface GatewayHealth {
  problems: HealthProblem[];
  store: { writable: boolean; freeBytes: number | null; minFreeBytes: number };
}
