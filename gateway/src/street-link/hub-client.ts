/**
 * The gateway's HTTP client for the street hub. The gateway opens every connection (it sits
 * behind NAT): it pushes its uplink and long-polls for street actions. Any replica will do, so
 * a failed request moves on to the next URL (a load balancer in front works the same way).
 */
import type { DownlinkPage, UplinkBatch, UplinkResponse } from '../contracts/hub.ts';
import { Errors } from '../core/errors.ts';

/** A push gets this long (milliseconds) before it counts as failed and is retried elsewhere. */
const PUSH_TIMEOUT_MS = 15_000;

export class HubClient {
  private current = 0;

  constructor(
    private readonly urls: string[],
    private readonly siteId: string,
    private readonly key: string,
  ) {}

  async push(batch: UplinkBatch, signal: AbortSignal): Promise<UplinkResponse> {
    return (await this.request('POST', '/api/hub/uplink', batch, PUSH_TIMEOUT_MS, signal)) as UplinkResponse;
  }

  /** Street actions after `cursor`; the hub holds the request up to `waitS` seconds while there are none. */
  async poll(cursor: number, waitS: number, signal: AbortSignal): Promise<DownlinkPage> {
    return (await this.request(
      'GET',
      `/api/hub/downlink?after=${cursor}&waitS=${waitS}`,
      undefined,
      (waitS + 10) * 1000,
      signal,
    )) as DownlinkPage;
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const base = this.urls[this.current % this.urls.length]!;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Gateway ${this.siteId}:${this.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await res.text();
      if (!res.ok)
        throw Errors.hubLinkFailed(`street hub ${base} answered ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as unknown;
    } catch (err) {
      // This replica is down or refusing: the next request goes to the next one.
      this.current++;
      throw err;
    }
  }
}
