/**
 * Bounds what a QoS 0 flood costs the embedded broker (issue 16). aedes parses a connection's
 * whole socket read at once and reads again as soon as the read's packets are handled or more
 * data arrives, so every connection that has data would be read in every turn of the event loop,
 * and under a flood most of what was read would be shed. Instead, a connection that sent QoS 0
 * stops reading (`stopReading`) until ingest's next turn with room (IntakeLoad.whenRoom): its
 * socket buffer fills, and TCP keeps the rest of the flood in the sender's buffers. At the turn's
 * end the connections waiting longest read again, one socket read each, until ingest has taken its
 * share of the turn; the others wait for a later turn. Memory stays at one socket read per
 * connection, whatever the flood; what is shed is the part of a read that did not fit. A device
 * that sends little waits one turn at most.
 */
import type { IntakeLoad } from './transport.ts';

export interface ReadGateMetrics {
  /** Times a connection waited for room while ingest was full (counter), and waiting now (gauge). */
  readsPaused: { inc(): void };
  connectionsPaused: { set(n: number): void };
}

/** Stops reading a connection; returns what starts it again. */
export type StopReading<Connection> = (connection: Connection) => () => void;

export class ReadGate<Connection extends object> {
  /** Connections waiting to read on, longest first, with what lets each do so. */
  private readonly waiting = new Map<Connection, { readOn: () => void; complete: () => void }>();

  constructor(
    private readonly intake: IntakeLoad,
    private readonly stopReading: StopReading<Connection>,
    private readonly metrics: ReadGateMetrics,
  ) {}

  /**
   * A QoS 0 packet of `connection` is handled (stored or shed): `complete` tells aedes so. The
   * first one of a read waits, with the connection, for the next turn with room.
   */
  complete(connection: Connection, complete: () => void): void {
    if (this.waiting.has(connection)) return complete();
    this.waiting.set(connection, { readOn: this.stopReading(connection), complete });
    if (this.intake.full) this.metrics.readsPaused.inc();
    this.counted();
    this.intake.whenRoom(this.resume);
  }

  /** A closed connection reads nothing more. */
  forget(connection: Connection): void {
    if (this.waiting.delete(connection)) this.counted();
  }

  /**
   * A connection let go reads its next chunk at once when its socket has one: its packets reach
   * ingest inside this loop, and once ingest is full again the rest wait for the next turn.
   */
  private readonly resume = (): void => {
    for (const [connection, { readOn, complete }] of this.waiting) {
      if (this.intake.full) break;
      this.waiting.delete(connection);
      readOn();
      complete();
    }
    this.counted();
    if (this.waiting.size) this.intake.whenRoom(this.resume);
  };

  private counted(): void {
    this.metrics.connectionsPaused.set(this.waiting.size);
  }
}
