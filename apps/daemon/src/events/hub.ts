// Fan-out of helper events to every EventsListen subscriber. A subscriber is registered and handed its
// snapshot in one synchronous step, so it can neither miss an event nor see one twice.
import type { pb } from '@sluice/api';

export type Event = pb.EventsListenResponse;

export interface Subscriber {
  /** Wants TunnelStats about once a second. */
  wantsStats: boolean;
  send(event: Event): void;
  /** The helper is shutting down: finish the stream. */
  end(): void;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private statsDemand = 0;
  /** Called when the first stats subscriber arrives (true) and when the last leaves (false). */
  onStatsDemand: ((wanted: boolean) => void) | undefined;

  get size(): number {
    return this.subscribers.size;
  }

  /** Register `subscriber`, deliver `snapshot()` to it first, and return the function that forgets it. */
  subscribe(subscriber: Subscriber, snapshot: () => Event): () => void {
    this.subscribers.add(subscriber);
    if (subscriber.wantsStats && this.statsDemand++ === 0) this.onStatsDemand?.(true);
    subscriber.send(snapshot());
    return () => {
      if (!this.subscribers.delete(subscriber)) return;
      if (subscriber.wantsStats && --this.statsDemand === 0) this.onStatsDemand?.(false);
    };
  }

  publish(event: Event): void {
    const statsOnly = event.event?.$case === 'tunnelStats';
    for (const subscriber of this.subscribers)
      if (!statsOnly || subscriber.wantsStats) subscriber.send(event);
  }

  endAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
    if (this.statsDemand > 0) this.onStatsDemand?.(false);
    this.statsDemand = 0;
  }
}
