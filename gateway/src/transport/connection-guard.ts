/**
 * Caps open connections on one listening socket, in all and per remote address. A connection
 * over a cap is closed as soon as it is accepted, so it holds no file descriptor: issue 14 found
 * that 19,990 idle sockets to the HTTP port used up the process's descriptors and made MQTT
 * unreachable as well. Used by the HTTP server and the embedded broker's TCP server.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../core/logger.ts';

export type ConnectionRefusal = 'total_limit' | 'address_limit';

export interface ConnectionGuardOptions {
  /** Names the server in logs and metrics: `http` or `mqtt`. */
  server: string;
  maxTotal: number;
  maxPerAddress: number;
  log: Logger;
  onRefused: (reason: ConnectionRefusal) => void;
}

export class ConnectionGuard {
  private total = 0;
  private readonly perAddress = new Map<string, number>();
  /** Connections refused since the limits last began to bite (logged once per episode). */
  private refusedInEpisode = 0;

  constructor(private readonly options: ConnectionGuardOptions) {}

  /** Counts the socket and returns true, or closes it and returns false. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.perAddress.get(address) ?? 0;
    const refusal: ConnectionRefusal | null =
      this.total >= this.options.maxTotal
        ? 'total_limit'
        : fromAddress >= this.options.maxPerAddress
          ? 'address_limit'
          : null;
    if (refusal) {
      socket.destroy();
      this.options.onRefused(refusal);
      if (this.refusedInEpisode++ === 0)
        this.options.log.warn(
          { server: this.options.server, reason: refusal, address, open: this.total },
          `${this.options.server} connection limit reached: refusing new connections (${refusal})`,
        );
      return false;
    }
    this.total++;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => this.release(address));
    return true;
  }

  private release(address: string): void {
    this.total--;
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
    // Back under every limit: say how many were refused, once, and start a new episode.
    if (this.refusedInEpisode && this.total < this.options.maxTotal && !this.anyAddressAtLimit()) {
      this.options.log.info(
        { server: this.options.server, refused: this.refusedInEpisode, open: this.total },
        `${this.options.server} connections back under their limits`,
      );
      this.refusedInEpisode = 0;
    }
  }

  private anyAddressAtLimit(): boolean {
    for (const n of this.perAddress.values()) if (n >= this.options.maxPerAddress) return true;
    return false;
  }
}
