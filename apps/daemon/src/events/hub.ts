// Fan-out of helper events to every EventsListen subscriber. A subscriber is registered and handed its
// snapshot in one synchronous step, so it can neither miss an event nor see one twice.
import type { pb } from '@sluice/api';

export type Event = pb.EventsListenResponse;

export interface Subscriber {
  send(event: Event): void;
  /** The helper is shutting down: finish the stream. */
  end(): void;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();

  get size(): number {
    return this.subscribers.size;
  }

  /** Register `subscriber`, deliver `snapshot()` to it first, and return the function that forgets it. */
  subscribe(subscriber: Subscriber, snapshot: () => Event): () => void {
    this.subscribers.add(subscriber);
    subscriber.send(snapshot());
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  publish(event: Event): void {
    for (const subscriber of this.subscribers) subscriber.send(event);
  }

  endAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
  }
}
