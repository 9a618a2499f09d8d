/**
 * One typed event bus for the pipeline. Listener failures are isolated: a throw is logged with
 * the event name and the pipeline carries on (z2m lib/eventBus.ts).
 */
import type { Logger } from './logger.ts';
import type { BusEvents } from '../contracts/events.ts';

type Listener<A extends unknown[]> = (...args: A) => void;
// Stored type-erased; `on`/`emit` keep the per-event types at the call sites.
type AnyListener = (...args: unknown[]) => void;

export class EventBus {
  private readonly listeners = new Map<keyof BusEvents, Set<AnyListener>>();

  constructor(private readonly log: Logger) {}

  on<E extends keyof BusEvents>(event: E, listener: Listener<BusEvents[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as AnyListener);
    return () => set.delete(listener as unknown as AnyListener);
  }

  emit<E extends keyof BusEvents>(event: E, ...args: BusEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(...args);
      } catch (err) {
        this.log.error({ err, event }, 'bus listener failed');
      }
    }
  }

  listenerCount(event: keyof BusEvents): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
