/**
 * Street actions waiting for a gateway. The gateway asks for the actions after its cursor; asking
 * with cursor n also says it applied everything up to n (recorded as `downlink_acked`). With
 * nothing to send the request is held and re-checked every `CHECK_MS` for up to `waitS`, on
 * whichever replica it reached: actions are rows, so any replica can answer.
 */
import type { DownlinkAction } from '../contracts/hub.ts';
import type { Pool } from './database.ts';

/** Re-check interval (milliseconds) of a held poll; wall time, it is about sockets. */
const CHECK_MS = 200;
const PAGE = 100;

export class DownlinkStore {
  constructor(private readonly pool: Pool) {}

  async poll(
    siteId: string,
    after: number,
    waitS: number,
    now: number,
    signal: AbortSignal,
  ): Promise<DownlinkAction[]> {
    await this.pool.query(
      'UPDATE hub_communities SET downlink_acked = GREATEST(downlink_acked, $2), last_seen_at = $3 WHERE site_id = $1',
      [siteId, after, now],
    );
    const deadline = Date.now() + waitS * 1000;
    for (;;) {
      const rows = (
        await this.pool.query(
          'SELECT seq, kind, by, at, body FROM hub_downlink WHERE site_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
          [siteId, after, PAGE],
        )
      ).rows as Array<{
        seq: number;
        kind: DownlinkAction['kind'];
        by: string;
        at: number;
        body: DownlinkAction['body'];
      }>;
      if (rows.length || Date.now() >= deadline || signal.aborted)
        return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, CHECK_MS);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}
